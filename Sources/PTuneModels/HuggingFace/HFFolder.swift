import Foundation
import PTuneCore

/// A Hugging Face model folder: `config.json`, the weights (`model.safetensors`, or the shards that
/// `model.safetensors.index.json` lists) and the tokenizer's files (`tokenizer.json`, or `vocab.txt` for BERT).
///
/// Opening reads the configuration and the safetensors headers only; weights are memory-mapped and converted to
/// float32 one tensor at a time when asked for (F32, F16 and BF16). Every file goes through the reader's access
/// check, symlinks resolved, so a folder cannot lead a load outside the allowed paths.
public final class HFFolder: Sendable {
    /// The folder's path.
    public let path: String
    /// `config.json`.
    public let config: HFConfig
    /// The weights file given instead of the folder's own, if any.
    let weightsOverride: String?
    let reader: CheckedFiles

    /// The file names ptune looks for.
    public static let configName = "config.json", weightsName = "model.safetensors"
    public static let indexName = "model.safetensors.index.json", tokenizerName = "tokenizer.json", vocabName = "vocab.txt"

    /// Opens the folder at `path` through `reader`: reads `config.json` only. `weights` names one weights file to
    /// use instead of the folder's own (a `.safetensors` file given directly). Weights are opened by ``weights()``,
    /// after the architecture has checked the configuration.
    public init(path: String, weights: String? = nil, reader: CheckedFiles = CheckedFiles()) throws {
        self.path = path
        self.reader = reader
        weightsOverride = weights
        let configPath = HFFolder.join(path, HFFolder.configName)
        guard reader.exists(configPath) else {
            throw ModelError.invalidConfig(file: configPath, reason: "missing: a Hugging Face model folder needs its config.json")
        }
        config = try HFConfig(data: reader.contents(configPath, limit: 16 << 20), file: configPath)
    }

    /// The weights: `model.safetensors`, or the shards `model.safetensors.index.json` lists (headers read and
    /// checked, data memory-mapped).
    public func weights() throws -> HFWeights {
        var files: [String] = []
        if let weightsOverride {
            files = [weightsOverride]
        } else if reader.exists(HFFolder.join(path, HFFolder.weightsName)) {
            files = [HFFolder.join(path, HFFolder.weightsName)]
        } else if reader.exists(HFFolder.join(path, HFFolder.indexName)) {
            files = try HFFolder.shardFiles(HFFolder.join(path, HFFolder.indexName), folder: path, reader: reader)
        } else {
            throw ModelError.invalidFile(file: path, reason: "no \(HFFolder.weightsName) and no \(HFFolder.indexName)")
        }
        return try HFWeights(files: files, reader: reader)
    }

    /// The shard files an index lists (its `weight_map` values), each a plain file name inside the folder.
    static func shardFiles(_ indexPath: String, folder: String, reader: CheckedFiles) throws -> [String] {
        let json: JSONValue
        do { json = try JSONValue.parse(reader.contents(indexPath, limit: 64 << 20)) } catch let e as JSONError {
            throw ModelError.invalidFile(file: indexPath, reason: "not valid JSON: \(e)")
        }
        guard let map = json["weight_map"]?.objectValue else {
            throw ModelError.invalidFile(file: indexPath, reason: "no 'weight_map' object")
        }
        var names = Set<String>()
        for (tensor, v) in map {
            guard let file = v.stringValue else {
                throw ModelError.invalidFile(file: indexPath, reason: "the shard of '\(tensor)' is not a file name")
            }
            guard !file.isEmpty, !file.contains("/"), file != ".", file != "..", !file.contains("\0") else {
                throw ModelError.invalidFile(file: indexPath, reason: "shard '\(file)' must be a file name inside the folder")
            }
            names.insert(file)
        }
        guard !names.isEmpty else { throw ModelError.invalidFile(file: indexPath, reason: "the weight map is empty") }
        return names.sorted().map { join(folder, $0) }
    }

    /// The path of the folder's file called `name`, if something is there.
    public func file(_ name: String) -> String? {
        let p = HFFolder.join(path, name)
        return reader.exists(p) ? p : nil
    }

    /// The bytes of the folder's file called `name`, read through the access check.
    public func contents(of name: String, limit: Int = 1 << 30) throws -> Data {
        try reader.contents(HFFolder.join(path, name), limit: limit)
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
    }
}

extension HFFolder {
    /// The folder's `tokenizer.json` as a tokenizer, or nil when it has none.
    public func tokenizer() throws -> (any TextTokenizer)? {
        guard let file = file(HFFolder.tokenizerName) else { return nil }
        do { return try HFTokenizer(json: contents(of: HFFolder.tokenizerName, limit: 256 << 20)) } catch let e as TokenizerError {
            throw ModelError.invalidFile(file: file, reason: e.description)
        }
    }
}

/// The safetensors weights of a Hugging Face folder: one file or shards, each header read and checked, the data
/// memory-mapped and converted to float32 one tensor at a time (F32, F16, BF16).
public struct HFWeights: Sendable {
    /// The weight files.
    public let files: [String]
    private let shards: [SafeTensorsFile]
    private let index: [String: Int]

    init(files: [String], reader: CheckedFiles) throws {
        var shards: [SafeTensorsFile] = [], index: [String: Int] = [:]
        for (i, file) in files.enumerated() {
            let st: SafeTensorsFile
            do { st = try SafeTensorsFile(data: reader.mappedData(file)) } catch let e as SafeTensorsError {
                throw ModelError.invalidFile(file: file, reason: e.description)
            }
            for name in st.names {
                if let j = index[name] { throw ModelError.invalidFile(file: file, reason: "tensor '\(name)' is also in \(files[j])") }
                index[name] = i
            }
            shards.append(st)
        }
        self.files = files
        self.shards = shards
        self.index = index
    }

    /// The names of every tensor in the weights.
    public var tensorNames: [String] { index.keys.sorted() }

    /// Whether the weights hold a tensor called `name`.
    public func hasTensor(_ name: String) -> Bool { index[name] != nil }

    /// The row-major shape of the tensor called `name`, if present.
    public func shape(of name: String) -> [Int]? {
        index[name].flatMap { shards[$0].entry(named: name)?.shape }
    }

    /// The tensor called `name`, converted to float32, or nil when absent.
    public func tensor(_ name: String) throws -> Tensor? {
        guard let i = index[name] else { return nil }
        do { return try shards[i].tensor(name, as: .float32) } catch let e as SafeTensorsError {
            throw ModelError.invalidFile(file: files[i], reason: e.description)
        }
    }

    /// The tensor called `name`, which must exist and have `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let i = index[name], let found = shards[i].entry(named: name)?.shape else {
            throw ModelError.missingWeight(file: files.first ?? "weights", name: name)
        }
        guard found == shape else { throw ModelError.weightShape(file: files[i], name: name, expected: shape, found: found) }
        guard let t = try tensor(name) else { throw ModelError.missingWeight(file: files[i], name: name) }
        return t
    }

}
