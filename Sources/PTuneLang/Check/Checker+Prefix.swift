import PTuneCore
import PTuneNN

/// What the checker knows of prefix encoders before anything runs: the layers and key/value width of every model
/// declared with constant sizes (`model g = gpt(40, 8, 2, 2, 16)`), and the model each `encoder e = prefix(n, g)`
/// was made for. A call that runs one model with a prefix made for a model of other widths is reported at the call.
struct PrefixShapes {
    /// Top-level models whose prefix layout is known statically, by name.
    var models: [String: PrefixLayout] = [:]
    /// Top-level prefix encoders by name, with the model they were declared over.
    var encoders: [String: String] = [:]
}

extension Checker {
    /// Records what a top-level `model` or `encoder` declaration tells about prefix layouts.
    mutating func recordPrefixShape(_ kind: DeclKind, _ name: String, _ value: Expr) {
        prefixShapes.models[name] = nil
        prefixShapes.encoders[name] = nil
        guard case let .call(.name(callee, _), args, _) = value else { return }
        switch kind {
        case .model, .frozenModel:
            guard callee == "gpt", let b = registry.global("gpt"),
                  let layers = staticInt(argument("layers", of: b, in: args)),
                  let dim = staticInt(argument("dim", of: b, in: args)), layers > 0, dim > 0 else { return }
            prefixShapes.models[name] = try? PrefixLayout(layers: layers, kvWidth: dim)
        case .encoder:
            guard callee == "prefix_encoder", let b = registry.global(callee),
                  case let .name(model, _)? = argument("model", of: b, in: args) else { return }
            prefixShapes.encoders[name] = model
        case .let, .dim, .param, .frozen, .data:
            return
        }
    }

    /// Reports a call of `b` (a builtin taking a `model` and an `encoder`) whose encoder is a prefix made for a model
    /// whose layers or key/value width differ from the model it runs.
    mutating func checkPrefixTarget(_ b: Builtin, receiver: Expr?, _ args: [Argument], _ span: SourceSpan) {
        guard b.parameterIndex("encoder") != nil, b.parameterIndex("model") != nil else { return }
        let all = (receiver.map { [Argument(label: nil, labelSpan: nil, value: $0)] } ?? []) + args
        guard case let .name(encoder, _)? = argument("encoder", of: b, in: all),
              case let .name(model, _)? = argument("model", of: b, in: all),
              let origin = prefixShapes.encoders[encoder], origin != model, isGlobal(encoder), isGlobal(model), isGlobal(origin),
              let made = prefixShapes.models[origin], let target = prefixShapes.models[model], made != target else { return }
        error(.badArgument(function: b.name, "the prefix encoder '\(encoder)' was made for '\(origin)' (\(made)); '\(model)' has \(target)"), at: span)
    }

    /// The expression passed for parameter `parameter` of `b` (by label, else by position), if any.
    func argument(_ parameter: String, of b: Builtin, in args: [Argument]) -> Expr? {
        if let labelled = args.first(where: { $0.label == parameter }) { return labelled.value }
        guard let i = b.parameterIndex(parameter) else { return nil }
        let positional = args.filter { $0.label == nil }
        return i < positional.count ? positional[i].value : nil
    }

    /// An integer the expression is before running: a literal, or the name of a `dim` or constant.
    func staticInt(_ e: Expr?) -> Int? {
        if case let .number(v, _)? = e { return Value.exactInt(v) }
        if case let .name(n, _)? = e { return peek(n).flatMap { BuiltinRules.constant($0.type) } }
        return nil
    }

    /// Whether `name` resolves to a top-level binding (not a local of the same name).
    func isGlobal(_ name: String) -> Bool { peek(name)?.isGlobal ?? false }
}
