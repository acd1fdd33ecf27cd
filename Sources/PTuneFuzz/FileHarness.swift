import Foundation
import PTuneCore
import PTuneLang
import PTuneModels

/// The file-format harnesses: each reads the bytes as a file, then uses everything it read, under a memory budget.
public enum FileHarness {
    /// At most 2²⁰ elements per tensor and 64 MiB in all.
    static let budget = MemoryBudget(maxElements: 1 << 20, maxBytes: 64 << 20)

    /// A safetensors image: validate the header, then decode every tensor.
    static func safetensors(_ bytes: [UInt8]) {
        TensorContext.withBudget(budget) {
            guard let file = try? SafeTensorsFile(data: Data(bytes)) else { return }
            for e in file.entries {
                guard let t = try? file.tensor(e.name) else { continue }
                if t.shape != e.shape { FuzzFailure.trap("tensor '\(e.name)' decoded as \(t.shape), declared \(e.shape)") }
            }
        }
    }

    /// A GGUF image: parse, dequantize every tensor, read a few metadata values, build the BPE tokenizer.
    static func gguf(_ bytes: [UInt8]) {
        TensorContext.withBudget(budget) {
            guard let file = try? GGUFFile(bytes: bytes, name: "fuzz.gguf") else { return }
            for info in file.tensors {
                guard let t = try? file.tensor(named: info.name) else { continue }
                if t.count != info.dims.reduce(1, *) { FuzzFailure.trap("tensor '\(info.name)' has \(t.count) elements, dims \(info.dims)") }
            }
            for key in file.metadataKeys {
                if let v = file.metadata[key] { _ = (v.typeName, v.int, v.double, v.string, v.array?.count) }
            }
            if let tokenizer = try? ByteLevelBPE(gguf: file) {
                _ = tokenizer.encode("Hello, world! 123", addSpecialTokens: true)
            }
        }
    }

    /// Opens a model file with the real loader, as `ptune-fuzz open FILE` does: a `.gguf` is parsed and every
    /// tensor dequantized; a `.safetensors` is validated and every tensor decoded. Throws the loader's error.
    public static func open(path: String) throws {
        try TensorContext.withBudget(MemoryBudget(maxElements: 1 << 30, maxBytes: 8 << 30)) {
            if path.hasSuffix(".gguf") {
                let file = try GGUFFile(path: path)
                for info in file.tensors { _ = try file.tensor(named: info.name) }
                if file.metadata["tokenizer.ggml.tokens"] != nil { _ = try ByteLevelBPE(gguf: file) }
            } else {
                _ = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: path)).tensors()
            }
        }
    }

    /// A CSV, TSV or JSONL file, read as the builtins read it.
    static func data(_ bytes: [UInt8], _ format: DataFileFormat) {
        TensorContext.withBudget(budget) {
            guard let d = try? format.read(bytes, path: "fuzz." + format.rawValue) else { return }
            if d.names.count != d.columns.count { FuzzFailure.trap("\(d.names.count) names for \(d.columns.count) columns") }
            _ = d.description
        }
    }
}
