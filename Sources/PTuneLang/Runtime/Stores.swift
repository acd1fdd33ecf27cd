import PTuneCore
import PTuneNN

extension BindingKind {
    /// The value a declaration of this kind stores for `v`: params become trainable leaves, frozen tensors
    /// constants, frozen models frozen; dims must be positive integers. A number declared as a tensor becomes a
    /// rank-0 tensor of `dtype`.
    func stored(_ v: Value, name: String, dtype: DType) throws -> Value {
        switch self {
        case .dim:
            guard case let .number(x) = v, let n = Value.exactInt(x), n > 0 else {
                throw RuntimeFailure(.badDim(name, "must be a positive integer, got \(v.debugText)"))
            }
            return .number(Double(n))
        case .param:
            let t: Tensor
            switch v {
            case let .tensor(x): t = x
            case let .param(p): t = p.value
            case let .number(x): t = try Tensor(scalar: x, dtype: dtype)
            case .list:
                guard let x = try v.asTensor(dtype: dtype) else {
                    throw RuntimeFailure(.wrongKind(context: "'param \(name)'", expected: "a tensor (or a list of numbers)", got: v.kindText))
                }
                t = x
            case .none, .bool, .string, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                throw RuntimeFailure(.wrongKind(context: "'param \(name)'", expected: "a tensor", got: v.kindText))
            }
            return .param(try Parameter(t, name: name))
        case .frozen:
            switch v {
            case let .tensor(t): return .tensor(t.detached())
            case let .param(p): return .tensor(p.value.detached())
            case let .number(x): return .tensor(try Tensor(scalar: x, dtype: dtype))
            case .list:
                guard let x = try v.asTensor(dtype: dtype) else {
                    throw RuntimeFailure(.wrongKind(context: "'frozen \(name)'", expected: "a tensor (or a list of numbers)", got: v.kindText))
                }
                return .tensor(x)
            case let .model(mo): mo.freeze(); return v
            case .none, .bool, .string, .range, .record, .function, .builtin, .encoder, .dataset, .optimizer,
                 .schedule:
                throw RuntimeFailure(.wrongKind(context: "'frozen \(name)'", expected: "a tensor", got: v.kindText))
            }
        case .frozenModel, .model:
            guard case let .model(mo) = v else {
                throw RuntimeFailure(.wrongKind(context: "'model \(name)'", expected: "a model", got: v.kindText))
            }
            if self == .frozenModel { mo.freeze() }
            return v
        case .encoder:
            guard case .encoder = v else {
                throw RuntimeFailure(.wrongKind(context: "'encoder \(name)'", expected: "an encoder", got: v.kindText))
            }
            return v
        case .data:
            guard case .dataset = v else {
                throw RuntimeFailure(.wrongKind(context: "'data \(name)'", expected: "a dataset", got: v.kindText))
            }
            return v
        case .let, .function, .loopVariable, .parameter, .history:
            return v
        }
    }
}

extension Parameter {
    /// `p op= rhs` on a `param`: an in-place update, not recorded, that keeps it the same trainable leaf (a result
    /// that broadcasts to its shape is broadcast).
    func update(_ op: BinaryOp, _ rhs: Value) throws {
        try Tensor.withoutRecording {
            let updated = try Operators.binary(op, .tensor(value.detached()), rhs, dtype: value.dtype)
            guard let t = updated.tensorValue else {
                throw RuntimeFailure(.wrongKind(context: "an update of param '\(name)'", expected: "a tensor", got: updated.kindText))
            }
            try assign(t.shape == value.shape ? t : t.broadcasted(to: value.shape))
        }
    }
}
