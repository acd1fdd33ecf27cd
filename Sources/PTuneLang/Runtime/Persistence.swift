import Foundation
import PTuneCore
import PTuneNN

/// `save x to "file"` and `load x from "file"`: encoders as PTuneNN checkpoints (architecture, weights, buffers,
/// dropout generators), models by their state dicts, tensors and records of tensors as safetensors. Every file is
/// written atomically (a temporary file, then a rename), so an interrupted save never leaves a broken file.
enum Persistence {
    /// Writes `value` (declared as `name`) to `path`, through the script's file access.
    static func save(_ value: Value, name: String, to path: String, files: CheckedFiles) throws {
        switch value {
        case let .encoder(e):
            try Checkpoint(encoder: e.encoder, task: name).write(toPath: path, files: files)
        case let .model(mo):
            try SafeTensors.write(mo.parameters.stateDict(), toPath: path, files: files)
        case .tensor, .param:
            guard let t = value.tensorValue else { return }
            try SafeTensors.write([name: t.detached()], toPath: path, files: files)
        case let .record(r):
            var tensors: [String: Tensor] = [:]
            for (k, v) in zip(r.names, r.values) { if let t = v.tensorValue { tensors[k] = t.detached() } }
            guard !tensors.isEmpty else { throw RuntimeFailure(.badArgument(function: "save", "the record holds no tensors")) }
            try SafeTensors.write(tensors, toPath: path, files: files)
        case .none, .number, .bool, .string, .list, .range, .function, .builtin, .dataset, .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "'save'", expected: "an encoder, a model, a tensor or a record of tensors", got: value.kindText))
        }
    }

    /// Reads `path` into `value` (declared as `name`) through the script's file access: weights are assigned in
    /// place (shapes must match); a plain tensor variable gets the new tensor, which is returned.
    static func load(into value: Value, name: String, from path: String, files: CheckedFiles) throws -> Value? {
        switch value {
        case let .encoder(e):
            let c = try Checkpoint.read(path: path, files: files)
            guard let state = c.tasks.first(where: { $0.name == name })?.state ?? c.tasks.first?.state else {
                throw RuntimeFailure(.badData(path: path, "the checkpoint holds no encoder"))
            }
            guard state.config.kind == e.encoder.config.kind, state.config.numVirtualTokens == e.count, state.config.tokenDim == e.dim else {
                throw RuntimeFailure(.badArgument(function: "load", "the checkpoint holds a \(state.config.kind.rawValue) encoder of \(state.config.numVirtualTokens) × \(state.config.tokenDim); '\(name)' is a \(e.kind.rawValue) encoder of \(e.count) × \(e.dim)"))
            }
            try e.encoder.load(weights: state.weights, buffers: state.buffers)
            if !state.generators.isEmpty { e.encoder.generators = state.generators }
            return nil
        case let .model(mo):
            try mo.parameters.load(try SafeTensors.read(path: path, files: files))
            return nil
        case let .param(p):
            try p.assign(try single(try SafeTensors.read(path: path, files: files), name, path))
            return nil
        case .tensor, .none:
            return .tensor(try single(try SafeTensors.read(path: path, files: files), name, path))
        case .number, .bool, .string, .list, .range, .record, .function, .builtin, .dataset, .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "'load'", expected: "an encoder, a model, a param or a tensor", got: value.kindText))
        }
    }

    /// The tensor named `name`, or the file's only tensor.
    static func single(_ tensors: [String: Tensor], _ name: String, _ path: String) throws -> Tensor {
        if let t = tensors[name] { return t }
        if tensors.count == 1, let t = tensors.values.first { return t }
        throw RuntimeFailure(.badData(path: path, "no tensor named '\(name)' (the file holds \(tensors.keys.sorted().joined(separator: ", ")))"))
    }
}
