import Foundation
import PTuneCore
import PTuneLang
import PTuneModels

/// The file-format harnesses: each reads the bytes as a file, then uses everything it read, under a memory budget.
public enum FileHarness {
    /// At most 2²⁰ elements per tensor and 64 MiB in all.
    static let budget = MemoryBudget(maxElements: 1 << 20, maxBytes: 64 << 20)

    /// A safetensors image: validate the header, then decode every tensor. Rejected with the header's error, or
    /// the first tensor's that does not decode.
    static func safetensors(_ bytes: [UInt8]) -> FuzzOutcome {
        TensorContext.withBudget(budget) {
            let file: SafeTensorsFile
            do { file = try SafeTensorsFile(data: Data(bytes)) } catch { return FuzzOutcome(error) }
            var firstError: (any Error)?
            for e in file.entries {
                let t: Tensor
                do { t = try file.tensor(e.name) } catch { firstError = firstError ?? error; continue }
                if t.shape != e.shape { FuzzFailure.trap("tensor '\(e.name)' decoded as \(t.shape), declared \(e.shape)") }
            }
            return FuzzOutcome(firstError)
        }
    }

    /// A GGUF image: parse, dequantize every tensor, read a few metadata values, build the BPE tokenizer.
    /// Rejected with the file's error, or the first tensor's that does not dequantize (a file without a tokenizer
    /// is not rejected for that).
    static func gguf(_ bytes: [UInt8]) -> FuzzOutcome {
        TensorContext.withBudget(budget) {
            let file: GGUFFile
            do { file = try GGUFFile(bytes: bytes, name: "fuzz.gguf") } catch { return FuzzOutcome(error) }
            var firstError: (any Error)?
            for info in file.tensors {
                let t: Tensor
                do { t = try file.tensor(named: info.name) } catch { firstError = firstError ?? error; continue }
                if t.count != info.dims.reduce(1, *) { FuzzFailure.trap("tensor '\(info.name)' has \(t.count) elements, dims \(info.dims)") }
            }
            for key in file.metadataKeys {
                if let v = file.metadata[key] { _ = (v.typeName, v.int, v.double, v.string, v.array?.count) }
            }
            if let tokenizer = try? ByteLevelBPE(gguf: file) {
                _ = tokenizer.encode("Hello, world! 123", addSpecialTokens: true)
            }
            return FuzzOutcome(firstError)
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

    /// A CSV, TSV or JSONL file, read as the builtins read it. Rejected with the reader's error.
    static func data(_ bytes: [UInt8], _ format: DataFileFormat) -> FuzzOutcome {
        TensorContext.withBudget(budget) {
            let d: DatasetObject
            do { d = try format.read(bytes, path: "fuzz." + format.rawValue) } catch { return FuzzOutcome(error) }
            if d.names.count != d.columns.count { FuzzFailure.trap("\(d.names.count) names for \(d.columns.count) columns") }
            _ = d.description
            return .accepted
        }
    }
}
