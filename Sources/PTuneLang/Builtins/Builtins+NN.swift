import PTuneCore

extension BuiltinRegistry {
    /// Losses, metrics, optimizers, layers and prompt encoders (the language face of PTuneNN).
    static let nnBuiltins: [Builtin] = losses + optimizers

    static let losses: [Builtin] = [
        Builtin("mse", [.required("pred", "tensor"), .required("target", "tensor")], returns: "tensor", topic: "nn",
                summary: "the mean squared error mean((pred − target)²), target broadcast to pred",
                example: "let loss = mse(forward(), target)",
                infer: { c in
                    let p = try BuiltinRules.tensor(c, 0, "pred"), t = try BuiltinRules.tensor(c, 1, "target")
                    _ = try TypeRules.broadcastShapes(p, t, op: "broadcast")
                    return .tensor(TensorType(shape: [], dtype: try ShapeRules.dtype(p.dtype, t.dtype, op: "mse")))
                },
                run: { a, _ in
                    let p = try a.tensor(0)
                    return .tensor(try (p - (try a.tensor(1, dtype: p.dtype))).square().mean())
                }),
        Builtin("accuracy", [.required("logits", "tensor"), .required("labels", "tensor")], returns: "number", topic: "nn",
                summary: "the fraction of rows whose largest logit is at the label", example: "print accuracy(predict(test.x), test.y)",
                result: .number(nil),
                run: { a, _ in
                    let logits = try a.tensor(0), labels = try a.tensor(1)
                    let pred = try logits.detached().argmax(axis: -1)
                    guard pred.shape == labels.shape else {
                        throw RuntimeFailure(.badShape(op: "accuracy", "predictions of shape \(Shape.describe(pred.shape)) do not match labels of shape \(Shape.describe(labels.shape))"))
                    }
                    let p = pred.ints, l = labels.ints
                    guard !p.isEmpty else { return .number(0) }
                    return .number(Double(zip(p, l).filter { $0 == $1 }.count) / Double(p.count))
                }),
    ]

    /// The parameters an optimizer's `params` argument names: params, lists of them, encoders, unfrozen models.
    static func parameters(_ v: Value, _ builtin: String) throws -> [ParamRef] {
        switch v {
        case .none: return []
        case let .param(p): return [p]
        case let .encoder(e): return e.parameters.map(\.ref)
        case let .model(mo):
            guard !mo.isFrozen else {
                throw RuntimeFailure(.badArgument(function: builtin, "cannot optimize a frozen model; its weights never change"))
            }
            return mo.parameters.map(\.ref)
        case let .list(items):
            var out: [ParamRef] = []
            for i in items { for p in try parameters(i, builtin) where !out.contains(where: { $0 === p }) { out.append(p) } }
            return out
        case .tensor:
            throw RuntimeFailure(.wrongKind(context: "'\(builtin)' argument 'params'", expected: "params (a frozen or plain tensor has no gradient; declare it with 'param')", got: v.kindText))
        case .number, .bool, .string, .range, .record, .function, .builtin, .dataset, .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "'\(builtin)' argument 'params'", expected: "params, an encoder or a model", got: v.kindText))
        }
    }

    static let optimizers: [Builtin] = [
        Builtin("step", [.required("optimizer", "optimizer"), .required("loss", "tensor")], returns: "number", topic: "nn",
                summary: "one update: gradients of the scalar loss with respect to the optimizer's parameters, then the step; returns the loss",
                example: "opt.step(mse(forward(), target))", result: .number(nil), global: false,
                run: { a, _ in
                    guard case let .optimizer(o) = a[0] else { throw RuntimeFailure(a.mismatch(0, "an optimizer")) }
                    guard let loss = a[1].tensorValue else { throw RuntimeFailure(a.mismatch(1, "a scalar tensor")) }
                    return .number(try o.step(loss: loss))
                }),
        Builtin("sgd", [.optional("params", "params", .none), .required("lr", "number"), .optional("momentum", "number", .number(0))],
                returns: "optimizer", topic: "nn",
                summary: "stochastic gradient descent: p ← p − lr·g (with momentum: PyTorch's update)",
                example: "let opt = sgd([encoder], lr: 0.01)", result: .optimizer,
                run: { a, _ in
                    let lr = try a.number(1), momentum = try a.number(2)
                    guard lr >= 0, lr.isFinite else { throw RuntimeFailure(.badArgument(function: "sgd", "lr must be a non-negative number")) }
                    return .optimizer(try makeSGD(try parameters(a[0], "sgd"), lr: lr, momentum: momentum))
                }),
    ]

    /// Plain SGD (with PyTorch's momentum buffer when `momentum` > 0).
    static func makeSGD(_ params: [ParamRef], lr: Double, momentum: Double) throws -> OptimizerObject {
        var buffers: [Tensor?] = Array(repeating: nil, count: params.count)
        let settings = momentum == 0 ? "lr: \(Value.format(lr))" : "lr: \(Value.format(lr)), momentum: \(Value.format(momentum))"
        return OptimizerObject(kind: "sgd", parameters: params, learningRate: lr, settings: settings, updatesInPlace: true,
                               rebind: { try makeSGD($0, lr: lr, momentum: momentum) },
                               update: { ps, grads, rate in
                                   for (i, p) in ps.enumerated() {
                                       var g = grads[i]
                                       if momentum != 0 {
                                           if var b = buffers[i] {
                                               buffers[i] = nil
                                               try b.scaleInPlace(by: momentum)
                                               try b.addInPlace(g)
                                               buffers[i] = b
                                           } else {
                                               buffers[i] = g
                                           }
                                           g = buffers[i] ?? g
                                       }
                                       try p.tensor.addInPlace(g, scaledBy: -rate)
                                   }
                               })
    }
}
