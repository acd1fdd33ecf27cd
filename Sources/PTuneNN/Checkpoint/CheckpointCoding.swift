import PTuneCore

/// JSON forms of the records a checkpoint holds.
enum CheckpointCoding {
    static func encode(_ c: PromptEncoderConfig) -> JSONValue {
        .object([
            "architecture": .string(c.kind.rawValue),
            "num_virtual_tokens": .int(c.numVirtualTokens),
            "token_dim": .int(c.tokenDim),
            "hidden_size": c.hiddenSize.map { .int($0) } ?? .null,
            "num_layers": .int(c.numLayers),
            "dropout": .double(c.dropout),
            "dtype": .string(c.dtype.rawValue),
        ])
    }

    static func decodeConfig(_ v: JSONValue) throws -> PromptEncoderConfig {
        guard let kind = v["architecture"]?.stringValue.flatMap(PromptEncoderKind.init(rawValue:)),
              let n = v["num_virtual_tokens"]?.intValue, let d = v["token_dim"]?.intValue,
              let dtype = v["dtype"]?.stringValue.flatMap(DType.init(rawValue:)) else {
            throw NNError.invalidCheckpoint("malformed encoder record \(v.serialized())")
        }
        return PromptEncoderConfig(kind: kind, numVirtualTokens: n, tokenDim: d, hiddenSize: v["hidden_size"]?.intValue,
                                   numLayers: v["num_layers"]?.intValue ?? 2, dropout: v["dropout"]?.doubleValue ?? 0,
                                   dtype: dtype)
    }

    /// The four state words as decimal strings (they exceed JSON's exact integer range).
    static func encode(_ g: Generator) -> JSONValue { .array(g.state.map { .string(String($0)) }) }

    static func decodeGenerator(_ v: JSONValue) throws -> Generator {
        guard let words = v.arrayValue?.compactMap({ $0.stringValue.flatMap { UInt64($0) } }), words.count == 4,
              let g = Generator(state: words) else {
            throw NNError.invalidCheckpoint("malformed generator state \(v.serialized())")
        }
        return g
    }

    static func encode(_ s: LRSchedule) -> JSONValue {
        switch s {
        case .constant: return .object(["kind": .string("constant")])
        case let .warmupConstant(w): return .object(["kind": .string("warmup_constant"), "warmup_steps": .int(w)])
        case let .linear(w, n): return .object(["kind": .string("linear"), "warmup_steps": .int(w), "total_steps": .int(n)])
        case let .cosine(w, n, c):
            return .object(["kind": .string("cosine"), "warmup_steps": .int(w), "total_steps": .int(n), "cycles": .double(c)])
        }
    }

    static func decodeSchedule(_ v: JSONValue) throws -> LRSchedule {
        let w = v["warmup_steps"]?.intValue ?? 0, n = v["total_steps"]?.intValue ?? 0
        switch v["kind"]?.stringValue {
        case "constant", nil: return .constant
        case "warmup_constant": return .warmupConstant(warmupSteps: w)
        case "linear": return .linear(warmupSteps: w, totalSteps: n)
        case "cosine": return .cosine(warmupSteps: w, totalSteps: n, cycles: v["cycles"]?.doubleValue ?? 0.5)
        case let other?: throw NNError.invalidCheckpoint("unknown schedule '\(other)'")
        }
    }
}
