import PTuneCore
import PTuneNN

extension BuiltinRegistry {
    /// A reduction builtin `name(x, axis: none, keepdims: false)`.
    static func reduction(_ name: String, _ summary: String, _ example: String,
                          _ f: @escaping (Tensor, Int?, Bool) throws -> Tensor) -> Builtin {
        Builtin(name, [.receiver("x", .tensor), .optional("axis", "int", .none), .optional("keepdims", "bool", .bool(false))],
                returns: "tensor", topic: .tensor, summary: summary, example: example,
                infer: { c in try BuiltinRules.reduction(c, axis: 1, keep: 2) },
                run: { a, _ in .tensor(try f(try a.tensor(0), try a.optionalInt(1), try a.bool(2))) })
    }

    static let reductions: [Builtin] = [
        reduction("sum", "the sum of the elements (over one axis, or all)", "let total = sum(x, axis: 0)") { try $0.sum(axis: $1, keepDims: $2) },
        reduction("mean", "the mean of the elements (over one axis, or all)", "let pooled = mean(h, axis: 1)") { try $0.mean(axis: $1, keepDims: $2) },
        reduction("max", "the largest element (over one axis, or all)", "let m = max(logits, axis: -1)") { try $0.max(axis: $1, keepDims: $2) },
        reduction("min", "the smallest element (over one axis, or all)", "let m = min(x)") { try $0.min(axis: $1, keepDims: $2) },
        reduction("argmax", "the position of the largest element (int64)", "let pred = argmax(logits, axis: -1)") { try $0.argmax(axis: $1, keepDims: $2) },
        reduction("argmin", "the position of the smallest element (int64)", "let i = argmin(d)") { try $0.argmin(axis: $1, keepDims: $2) },
        reduction("variance", "the population variance (over one axis, or all)", "let v = variance(x, axis: 0)") { try $0.variance(axis: $1, keepDims: $2) },
        Builtin("softmax", [.receiver("x", .tensor), .optional("axis", "int", .number(-1))], returns: "tensor", topic: .tensor,
                summary: "exp(x) / sum(exp(x)) along an axis", example: "let p = softmax(logits)",
                infer: { c in .tensor(try BuiltinRules.tensor(c, 0, "x")) },
                run: { a, _ in .tensor(try a.tensor(0).softmax(axis: try a.int(1))) }),
        Builtin("log_softmax", [.receiver("x", .tensor), .optional("axis", "int", .number(-1))], returns: "tensor", topic: .tensor,
                summary: "log(softmax(x)), computed stably", example: "let lp = log_softmax(logits)",
                infer: { c in .tensor(try BuiltinRules.tensor(c, 0, "x")) },
                run: { a, _ in .tensor(try a.tensor(0).logSoftmax(axis: try a.int(1))) }),
        Builtin("matmul", [.receiver("a", .tensor), .required("b", "tensor")], returns: "tensor", topic: .tensor,
                summary: "the matrix product a @ b", example: "let y = matmul(x, w)",
                infer: { c in try TypeRules.binary(.matmul, c[0], c[1]) },
                run: { a, _ in .tensor(try Tensor.matmul(try a.tensor(0), try a.tensor(1))) }),
        Builtin("norm", [.receiver("x", .tensor)], returns: "tensor", topic: .tensor,
                summary: "the L2 norm of all elements", example: "let n = norm(grad(loss, p))",
                infer: { c in .tensor(TensorType(shape: [], dtype: try BuiltinRules.tensor(c, 0, "x").dtype)) },
                run: { a, _ in .tensor(try a.tensor(0).square().sum().sqrt()) }),
    ]

    static let autodiff: [Builtin] = [
        Builtin("grad", [.receiver("loss", .tensor), .required("wrt", "param")], returns: "tensor", topic: .tensor,
                summary: "the gradient of a scalar loss with respect to a param (or a list of params)",
                example: "let g = grad(mse(forward(), target), encoder)",
                infer: { c in
                    // A number carries no gradient: `grad(item(loss), x)` would be zeros whatever x does.
                    if case .number = c[0] { throw Message.badArgument(function: "grad", BuiltinRegistry.detachedLoss) }
                    switch c[1] {
                    case let .tensor(t): return .tensor(t)
                    case .list: return .list(.tensor(.unknown))
                    case .unknown, .none, .number, .dim, .bool, .string, .numberList, .range, .record, .function, .builtin, .model,
                         .encoder, .dataset, .optimizer, .schedule:
                        return .unknown
                    }
                },
                run: { a, _ in
                    let loss = try a.tensor(0)
                    guard loss.requiresGrad else { throw RuntimeFailure(.badArgument(function: "grad", BuiltinRegistry.detachedLoss)) }
                    if case let .list(items) = a[1] {
                        let ts = try items.map { v -> Tensor in
                            guard case let .param(p) = v else { throw RuntimeFailure(.wrongKind(context: "'grad' argument 'wrt'", expected: "params", got: v.kindText)) }
                            return p.value
                        }
                        return .list(try Tensor.gradients(of: loss, wrt: ts).map { .tensor($0) })
                    }
                    guard case let .param(p) = a[1] else {
                        throw RuntimeFailure(.wrongKind(context: "'grad' argument 'wrt'", expected: "a param (declared with 'param')", got: a[1].kindText))
                    }
                    return .tensor(try Tensor.gradients(of: loss, wrt: [p.value])[0])
                }),
    ]

    /// Why `grad` refuses a loss that holds no gradient.
    static let detachedLoss = "the loss does not depend on the params: it holds no gradient (item() and numbers detach; keep the loss a tensor, e.g. grad(norm(x), x))"
}
