import Foundation
import PTuneCore
import PTuneNN

extension BuiltinRegistry {
    /// An elementwise function of a tensor (or a number).
    static func elementwise(_ name: String, _ summary: String, _ example: String,
                            number: @escaping (Double) -> Double, tensor: @escaping (Tensor) throws -> Tensor) -> Builtin {
        Builtin(name, [.receiver("x", .tensor)], returns: "tensor", topic: .math, summary: summary, example: example,
                infer: { c in try BuiltinRules.elementwise(c) },
                run: { a, _ in
                    if case let .number(x) = a[0] { return .number(number(x)) }
                    return .tensor(try tensor(try a.tensor(0)))
                })
    }

    /// Elementwise math, activations, and helpers on numbers, strings and lists.
    static let mathBuiltins: [Builtin] = [
        elementwise("exp", "eˣ elementwise", "let e = exp(x)", number: { Foundation.exp($0) }, tensor: { try $0.exp() }),
        elementwise("log", "the natural logarithm elementwise", "let l = log(p)", number: { Foundation.log($0) }, tensor: { try $0.log() }),
        elementwise("sqrt", "the square root elementwise", "let s = sqrt(v)", number: { $0.squareRoot() }, tensor: { try $0.sqrt() }),
        elementwise("abs", "the absolute value elementwise", "let a = abs(x)", number: { Swift.abs($0) }, tensor: { try $0.abs() }),
        elementwise("square", "x² elementwise", "let s = square(err)", number: { $0 * $0 }, tensor: { try $0.square() }),
        elementwise("tanh", "the hyperbolic tangent elementwise", "let h = tanh(x)", number: { Foundation.tanh($0) }, tensor: { try $0.tanh() }),
        elementwise("sigmoid", "1 / (1 + e⁻ˣ) elementwise", "let p = sigmoid(logit)", number: { 1 / (1 + Foundation.exp(-$0)) }, tensor: { try $0.sigmoid() }),
        // The activations are PTuneNN's, the same functions `mlp(…, act: gelu)` applies.
        elementwise("relu", "max(x, 0) elementwise", "let h = relu(x @ w)", number: { Swift.max($0, 0) }, tensor: { try Activation.relu($0) }),
        elementwise("gelu", "x·Φ(x) elementwise (exact, erf form)", "let h = gelu(x)",
                    number: { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, tensor: { try Activation.gelu($0) }),
        elementwise("silu", "x·sigmoid(x) elementwise", "let h = silu(x)", number: { $0 / (1 + Foundation.exp(-$0)) }, tensor: { try Activation.silu($0) }),
        Builtin("pow", [.receiver("x", .tensor), .required("p", "number")], returns: "tensor", topic: .math,
                summary: "xᵖ elementwise", example: "let c = pow(x, 3)",
                infer: { c in try BuiltinRules.elementwise(c) },
                run: { a, _ in
                    if case let .number(x) = a[0] { return .number(Foundation.pow(x, try a.number(1))) }
                    return .tensor(try a.tensor(0).pow(try a.number(1)))
                }),
        Builtin("clamp", [.receiver("x", .tensor), .optional("low", "number", .none), .optional("high", "number", .none)],
                returns: "tensor", topic: .math, summary: "x limited to [low, high] elementwise", example: "let c = clamp(x, low: 0, high: 1)",
                infer: { c in try BuiltinRules.elementwise(c) },
                run: { a, _ in
                    let lo = try a.optionalNumber(1) ?? -.infinity, hi = try a.optionalNumber(2) ?? .infinity
                    if case let .number(x) = a[0] { return .number(Swift.min(Swift.max(x, lo), hi)) }
                    return .tensor(try a.tensor(0).clamped(low: lo, high: hi))
                }),
        Builtin("maximum", [.receiver("a", .tensor), .required("b", "tensor")], returns: "tensor", topic: .math,
                summary: "the larger of a and b elementwise (numbers or broadcast tensors)", example: "let m = maximum(x, 0)",
                infer: { c in try TypeRules.binary(.add, c[0], c[1]) },
                run: { a, m in
                    if case let .number(x) = a[0], case let .number(y) = a[1] { return .number(Swift.max(x, y)) }
                    let x = try a.tensor(0, dtype: a[1].tensorValue?.dtype ?? m.defaultDType)
                    return .tensor(try Tensor.maximum(x, try a.tensor(1, dtype: x.dtype)))
                }),
        Builtin("minimum", [.receiver("a", .tensor), .required("b", "tensor")], returns: "tensor", topic: .math,
                summary: "the smaller of a and b elementwise (numbers or broadcast tensors)", example: "let m = minimum(loss, best)",
                infer: { c in try TypeRules.binary(.add, c[0], c[1]) },
                run: { a, m in
                    if case let .number(x) = a[0], case let .number(y) = a[1] { return .number(Swift.min(x, y)) }
                    let x = try a.tensor(0, dtype: a[1].tensorValue?.dtype ?? m.defaultDType)
                    return .tensor(try Tensor.minimum(x, try a.tensor(1, dtype: x.dtype)))
                }),
        Builtin("floor", [.required("x", "number")], returns: "number", topic: .math, summary: "the largest integer ≤ x",
                example: "let k = floor(n / 2)", result: .number(nil), run: { a, _ in .number(try a.number(0).rounded(.down)) }),
        Builtin("ceil", [.required("x", "number")], returns: "number", topic: .math, summary: "the smallest integer ≥ x",
                example: "let k = ceil(n / 32)", result: .number(nil), run: { a, _ in .number(try a.number(0).rounded(.up)) }),
        Builtin("round", [.required("x", "number"), .optional("digits", "int", .number(0))], returns: "number", topic: .math,
                summary: "x rounded to a number of decimal digits (halves away from zero)", example: "print round(loss, digits: 4)",
                result: .number(nil),
                run: { a, _ in
                    let d = try a.int(1)
                    guard (0...15).contains(d) else { throw RuntimeFailure(.badArgument(function: "round", "digits must be in 0…15, got \(d)")) }
                    let scale = Foundation.pow(10.0, Double(d))
                    return .number((try a.number(0) * scale).rounded() / scale)
                }),
        Builtin("format", [.required("x", "number"), .optional("digits", "int", .number(4))], returns: "string", topic: .math,
                summary: "a number (or one-element tensor) as text with fixed decimals", example: "print \"loss\", format(loss, digits: 6)",
                result: .string,
                run: { a, _ in
                    let d = try a.int(1)
                    guard (0...17).contains(d) else { throw RuntimeFailure(.badArgument(function: "format", "digits must be in 0…17, got \(d)")) }
                    return .string(String(format: "%.\(d)f", try a.number(0)))
                }),
        Builtin("str", [.required("x", "value")], returns: "string", topic: .math, summary: "a value as text, as print shows it",
                example: "let s = \"step \" + str(i)", result: .string, run: { a, _ in .string(try a[0].printed()) }),
        Builtin("len", [.required("x", "value")], returns: "number", topic: .math,
                summary: "the length of a list, string, range, dataset, or a tensor's first axis", example: "let n = len(train)",
                result: .number(nil),
                run: { a, _ in
                    switch a[0] {
                    case let .list(items): return .number(Double(items.count))
                    case let .string(s): return .number(Double(s.count))
                    case let .range(lo, hi): return .number(Double(Swift.max(0, hi - lo)))
                    case let .dataset(d): return .number(Double(d.count))
                    case .tensor, .param:
                        guard let t = a[0].tensorValue, t.rank > 0 else { throw RuntimeFailure(a.mismatch(0, "a value with a length")) }
                        return .number(Double(t.shape[0]))
                    case .none, .number, .bool, .record, .function, .builtin, .model, .encoder, .optimizer, .schedule:
                        throw RuntimeFailure(a.mismatch(0, "a list, string, range, dataset or tensor"))
                    }
                }),
        Builtin("range", [.required("start", "int"), .optional("end", "int", .none)], returns: "range", topic: .math,
                summary: "the integers start … end-1 (range(n) is 0 … n-1)", example: "for i in range(10) { print i }",
                result: .range,
                run: { a, _ in
                    if a.isNone(1) { return .range(0, try a.int(0)) }
                    return .range(try a.int(0), try a.int(1))
                }),
        Builtin("list", [.required("x", "value")], returns: "list", topic: .math,
                summary: "a range or a tensor's elements as a list of numbers", example: "let xs = list(0..<4)",
                result: .list(.unknown),
                run: { a, _ in
                    switch a[0] {
                    case .list: return a[0]
                    case let .range(lo, hi): return try Value.makeList(try Arguments.expand(lo, hi))
                    case .tensor, .param:
                        let t = try a.tensor(0)
                        try TensorContext.budget?.ensureRoom(ListValue.bytes(count: t.count) + 8 * t.count, for: "a list of \(t.count) items")
                        return try Value.makeList(t.doubles.map { .number($0) })
                    case .none, .number, .bool, .string, .record, .function, .builtin, .model, .encoder, .dataset, .optimizer, .schedule:
                        throw RuntimeFailure(a.mismatch(0, "a list, a range or a tensor"))
                    }
                }),
        Builtin("append", [.receiver("xs", .list), .required("x", "value")], returns: "list", topic: .math,
                summary: "a new list: xs with x at the end", example: "losses = append(losses, item(loss))",
                infer: { c in c[0] },
                run: { a, _ in try Value.makeList(try a.list(0) + [a[1]]) }),
    ]
}
