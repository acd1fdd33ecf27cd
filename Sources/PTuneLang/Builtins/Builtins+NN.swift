import PTuneCore
import PTuneNN

extension BuiltinRegistry {
    /// Losses, metrics, optimizers, schedules, layers and prompt encoders: the language face of PTuneNN.
    static let nnBuiltins: [Builtin] = losses + optimizers + schedules + layers + encoders + prefixBuiltins

    /// `reduction:` as PTuneNN's.
    static func reduction(_ a: Arguments, _ i: Int) throws -> Reduction {
        let s = try a.string(i)
        if s == "mean" { return .mean }
        guard let r = Reduction(rawValue: s) else {
            throw RuntimeFailure(.badArgument(function: a.builtin.name, "reduction must be one of \(Reduction.allCases.map(\.rawValue).joined(separator: ", ")), got \(Value.quote(s))"))
        }
        return r
    }

    static let losses: [Builtin] = [
        Builtin("mse", [.receiver("pred", .tensor), .required("target", "tensor"), .optional("reduction", "string", .string("mean"))],
                returns: "tensor", topic: .nn,
                summary: "the mean squared error mean((pred − target)²), target broadcast to pred",
                example: "let loss = mse(forward(), target)",
                infer: { c in
                    let p = try BuiltinRules.tensor(c, 0, "pred"), t = try BuiltinRules.tensor(c, 1, "target")
                    _ = try TypeRules.broadcastShapes(p, t, op: "broadcast")
                    let dt = try ShapeRules.dtype(p.dtype, t.dtype, op: "mse")
                    return .tensor(TensorType(shape: c.given[2] ? nil : [], dtype: dt))
                },
                run: { a, _ in
                    let p = try a.tensor(0)
                    return .tensor(try Loss.mse(p, try a.tensor(1, dtype: p.dtype), reduction: try reduction(a, 2)))
                }),
        Builtin("cross_entropy", [.receiver("logits", .tensor), .required("labels", "tensor"),
                                  .optional("ignore_index", "int", .number(-100)), .optional("label_smoothing", "number", .number(0)),
                                  .optional("reduction", "string", .string("mean"))],
                returns: "tensor", topic: .nn,
                summary: "softmax cross-entropy of logits [..., C] against int64 class labels [...] (labels equal to ignore_index count for nothing)",
                example: "let loss = cross_entropy(predict(batch.x), batch.y)",
                infer: { c in
                    let l = try BuiltinRules.tensor(c, 0, "logits")
                    return .tensor(TensorType(shape: c.given[4] ? nil : [], dtype: l.dtype))
                },
                run: { a, _ in
                    .tensor(try Loss.crossEntropy(try a.tensor(0), try a.tensor(1), ignoreIndex: try a.int(2),
                                                  labelSmoothing: try a.number(3), reduction: try reduction(a, 4)))
                }),
        Builtin("bce", [.receiver("logits", .tensor), .required("targets", "tensor"), .optional("reduction", "string", .string("mean"))],
                returns: "tensor", topic: .nn,
                summary: "binary cross-entropy with logits (targets are probabilities of the logits' shape)",
                example: "let loss = bce(score(batch.x), batch.y)",
                infer: { c in .tensor(TensorType(shape: c.given[2] ? nil : [], dtype: try BuiltinRules.tensor(c, 0, "logits").dtype)) },
                run: { a, _ in
                    let l = try a.tensor(0)
                    return .tensor(try Loss.binaryCrossEntropyWithLogits(l, try a.tensor(1, dtype: l.dtype).to(l.dtype), reduction: try reduction(a, 2)))
                }),
        Builtin("accuracy", [.receiver("logits", .tensor), .required("labels", "tensor")], returns: "number", topic: .nn,
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
    static func parameters(_ v: Value, _ builtin: String) throws -> [Parameter] {
        switch v {
        case .none: return []
        case let .param(p): return [p]
        case let .encoder(e): return e.parameters.trainable
        case let .model(mo):
            guard !mo.isFrozen else {
                throw RuntimeFailure(.badArgument(function: builtin, "cannot optimize a frozen model; its weights never change"))
            }
            return mo.parameters.trainable
        case let .list(items):
            var out: [Parameter] = []
            for i in items { for p in try parameters(i, builtin) where !out.contains(where: { $0 === p }) { out.append(p) } }
            return out
        case .tensor:
            throw RuntimeFailure(.wrongKind(context: "'\(builtin)' argument 'params'", expected: "params (a frozen or plain tensor has no gradient; declare it with 'param')", got: v.kindText))
        case .number, .bool, .string, .range, .record, .function, .builtin, .dataset, .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "'\(builtin)' argument 'params'", expected: "params, an encoder or a model", got: v.kindText))
        }
    }

    /// An optimizer builtin: `settings` reads the hyperparameters from the arguments (while they exist) and returns
    /// their text and a factory of PTuneNN optimizers, so `train` can make a fresh one over other parameters.
    static func optimizerBuiltin(_ kind: OptimizerKind, _ rest: [BuiltinParameter], summary: String, example: String,
                                 _ settings: @escaping (Arguments) throws -> (String, () throws -> any Optimizer)) -> Builtin {
        let name = kind.rawValue
        return Builtin(name, [.optional("params", "params", .none)] + rest, returns: "optimizer", topic: .nn,
                summary: summary, example: example, result: .optimizer,
                run: { a, _ in
                    let (text, make) = try settings(a)
                    func bind(_ ps: [Parameter]) throws -> OptimizerObject {
                        try OptimizerObject(kind: kind, optimizer: try make(), parameters: ps, settings: text, rebind: bind)
                    }
                    return .optimizer(try bind(try parameters(a[0], name)))
                })
    }

    static func rate(_ a: Arguments, _ i: Int) throws -> Double {
        let lr = try a.number(i)
        guard lr >= 0, lr.isFinite else { throw RuntimeFailure(.badArgument(function: a.builtin.name, "lr must be a non-negative number")) }
        return lr
    }

    static let optimizers: [Builtin] = [
        Builtin("step", [.receiver("optimizer", .optimizer), .required("loss", "tensor")], returns: "number", topic: .nn,
                summary: "one update: gradients of the scalar loss with respect to the optimizer's parameters, then the step; returns the loss",
                example: "opt.step(mse(forward(), target))", result: .number(nil), global: false,
                run: { a, _ in
                    guard case let .optimizer(o) = a[0] else { throw RuntimeFailure(a.mismatch(0, "an optimizer")) }
                    guard let loss = a[1].tensorValue else { throw RuntimeFailure(a.mismatch(1, "a scalar tensor")) }
                    return .number(try o.step(loss: loss))
                }),
        optimizerBuiltin(.sgd, [.required("lr", "number"), .optional("momentum", "number", .number(0)),
                                 .optional("nesterov", "bool", .bool(false)), .optional("weight_decay", "number", .number(0))],
                         summary: "stochastic gradient descent with PyTorch's momentum, Nesterov and weight decay",
                         example: "let opt = sgd([encoder], lr: 0.01)") { a in
            let lr = try rate(a, 1), mom = try a.number(2), nesterov = try a.bool(3), wd = try a.number(4)
            var s = "lr: \(Value.format(lr))"
            if mom != 0 { s += ", momentum: \(Value.format(mom))" }
            if nesterov { s += ", nesterov: true" }
            if wd != 0 { s += ", weight_decay: \(Value.format(wd))" }
            return (s, { try SGD(learningRate: lr, momentum: mom, weightDecay: wd, nesterov: nesterov) })
        },
        optimizerBuiltin(.adam, [.optional("lr", "number", .number(1e-3)), .optional("beta1", "number", .number(0.9)),
                                  .optional("beta2", "number", .number(0.999)), .optional("eps", "number", .number(1e-8)),
                                  .optional("weight_decay", "number", .number(0))],
                         summary: "Adam with PyTorch's update and defaults", example: "optimizer: adam(lr: 1e-3)") { a in
            let lr = try rate(a, 1), b1 = try a.number(2), b2 = try a.number(3), eps = try a.number(4), wd = try a.number(5)
            return ("lr: \(Value.format(lr))", { try Adam(learningRate: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd) })
        },
        optimizerBuiltin(.adamw, [.optional("lr", "number", .number(1e-3)), .optional("beta1", "number", .number(0.9)),
                                   .optional("beta2", "number", .number(0.999)), .optional("eps", "number", .number(1e-8)),
                                   .optional("weight_decay", "number", .number(1e-2))],
                         summary: "AdamW (decoupled weight decay) with PyTorch's defaults", example: "optimizer: adamw(lr: 3e-4)") { a in
            let lr = try rate(a, 1), b1 = try a.number(2), b2 = try a.number(3), eps = try a.number(4), wd = try a.number(5)
            return ("lr: \(Value.format(lr)), weight_decay: \(Value.format(wd))",
                    { try Adam.adamW(learningRate: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd) })
        },
    ]

    /// A schedule builtin `name(warmup: 0, steps: none)`.
    static func schedule(_ kind: ScheduleKind, _ summary: String, _ make: @escaping (Int, Int) -> LRSchedule) -> Builtin {
        let name = kind.rawValue
        return Builtin(name, [.optional("warmup", "int", .number(0)), .optional("steps", "int", .none)], returns: "schedule", topic: .nn,
                summary: summary + " (steps: the total, which a train block fills in)",
                example: "schedule: \(name)(warmup: 10)", result: .schedule,
                run: { a, _ in
                    let w = try a.int(0), n = try a.optionalInt(1)
                    guard w >= 0, (n ?? 1) > 0 else { throw RuntimeFailure(.badArgument(function: name, "warmup must be ≥ 0 and steps > 0")) }
                    return .schedule(ScheduleObject(kind: kind, warmup: w, steps: n) { total in make(w, n ?? total) })
                })
    }

    static let schedules: [Builtin] = [
        schedule(.constant, "a constant learning rate after an optional linear warm-up") { w, _ in w == 0 ? .constant : .warmupConstant(warmupSteps: w) },
        schedule(.linearDecay, "linear warm-up, then linear decay to 0") { w, n in .linear(warmupSteps: w, totalSteps: n) },
        schedule(.cosine, "linear warm-up, then a half-cosine decay to 0") { w, n in .cosine(warmupSteps: w, totalSteps: n) },
        Builtin("with_schedule", [.receiver("optimizer", .optimizer), .required("schedule", "schedule")], returns: "optimizer",
                topic: .nn, summary: "the optimizer with a learning-rate schedule over the schedule's steps (for explicit loops)",
                example: "let opt = with_schedule(adam([p]), cosine(warmup: 10, steps: 1000))", result: .optimizer,
                run: { a, _ in
                    guard case let .optimizer(o) = a[0] else { throw RuntimeFailure(a.mismatch(0, "an optimizer")) }
                    guard case let .schedule(s) = a[1] else { throw RuntimeFailure(a.mismatch(1, "a schedule")) }
                    guard let n = s.steps else { throw RuntimeFailure(.badArgument(function: "with_schedule", "give the schedule its steps: \(s.kind.rawValue)(steps: N)")) }
                    o.schedule = s.make(n)
                    return .optimizer(o)
                }),
    ]
}
