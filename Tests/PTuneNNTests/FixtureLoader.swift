import Foundation
import PTuneCore
import PTuneNN

/// Reads the reference-workload fixtures (see `Fixtures/regenerate.py`).
enum Fixtures {
    struct MissingFixture: Error, CustomStringConvertible {
        let name: String
        var description: String { "missing test fixture \(name): run Tests/PTuneNNTests/Fixtures/regenerate.py" }
    }

    static func url(_ name: String, _ ext: String) throws -> URL {
        guard let u = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures") else {
            throw MissingFixture(name: "\(name).\(ext)")
        }
        return u
    }

    /// W1's tensors and trace from `w1.json`.
    static func w1() throws -> (tensors: [String: Tensor], trace: [Int: Double]) {
        let json = try JSONValue.parse(Data(contentsOf: url("w1", "json")))
        var tensors: [String: Tensor] = [:]
        for (name, v) in json["tensors"]?.objectValue ?? [:] {
            let shape = (v["shape"]?.arrayValue ?? []).compactMap(\.intValue)
            let data = (v["data"]?.arrayValue ?? []).compactMap(\.doubleValue)
            tensors[name] = try Tensor(shape: shape, values: data, dtype: .float64)
        }
        return (tensors, trace(json["loss_trace"]))
    }

    /// W2's or W3's tensors and trace from `<name>.safetensors`.
    static func safetensors(_ name: String) throws -> (tensors: [String: Tensor], trace: [Int: Double]) {
        let file = try SafeTensorsFile(contentsOf: url(name, "safetensors"))
        return (try file.tensors(), trace(try JSONValue.parse(file.metadata["loss_trace"] ?? "{}")))
    }

    static func trace(_ v: JSONValue?) -> [Int: Double] {
        var out: [Int: Double] = [:]
        for (k, x) in v?.objectValue ?? [:] { if let s = Int(k), let d = x.doubleValue { out[s] = d } }
        return out
    }
}
