import PTuneCore
import PTuneModels

extension Checker {
    /// Reports a call of `b` (a builtin taking a `model` and an `encoder`) whose encoder is known not to fit the
    /// model: an input encoder whose tokens are not as wide as the model's embeddings, or a prefix made for a model
    /// of other layers or key/value widths. `types` are the bound arguments' types, `exprs` their expressions.
    mutating func checkEncoderTarget(_ b: Builtin, _ types: [LangType], _ exprs: [Expr?], _ span: SourceSpan) {
        guard let ei = b.parameterIndex("encoder"), let mi = b.parameterIndex("model"),
              ei < types.count, mi < types.count,
              case let .encoder(encoder) = types[ei], case let .model(model) = types[mi] else { return }
        do {
            try encoder.check(with: model, encoder: Checker.naming("the encoder", exprs, ei),
                              model: Checker.naming("the model", exprs, mi))
        } catch {
            self.error(.badArgument(function: b.name, error.description), at: span)
        }
    }

    /// `the encoder 'pe'` when the argument is a name, else `the encoder`.
    static func naming(_ what: String, _ exprs: [Expr?], _ i: Int) -> String {
        guard i < exprs.count, case let .name(n, _)? = exprs[i] else { return what }
        return "\(what) '\(n)'"
    }

    /// The dim an expression is before running: a literal, or the name of a `dim` or constant (its name kept).
    func staticDim(_ e: Expr) -> Dim {
        switch e {
        case let .number(v, _): return Dim(Value.exactInt(v))
        case let .name(n, _): return resolve(n).map { ShapeRules.dim(from: $0.type) } ?? .unknown
        case .string, .bool, .none, .list, .tensor, .chain, .unary, .binary, .call, .member, .index, .record, .conditional:
            return .unknown
        }
    }

    /// Per parameter of `b`, the dims of a size chain (`embed -> 256 -> embed`) given for it, in order.
    func chainDims(_ plan: BindingPlan, _ args: [Argument], receiver: Bool, count: Int) -> [[Dim]?] {
        var out = [[Dim]?](repeating: nil, count: count)
        for (k, a) in args.enumerated() {
            guard case let .chain(items, _) = a.value, case let .parameter(i) = plan.targets[k + (receiver ? 1 : 0)],
                  i < count else { continue }
            out[i] = items.map(staticDim)
        }
        return out
    }
}

extension Checker {
    /// `load("name or path")` with a literal argument: the model's widths from its metadata or `config.json`
    /// (no weight is read), under the script's file access, so encoders of the wrong width are reported before
    /// running. Nil when the files cannot be read now (the run reports why, or finds them).
    func describedModel(_ request: String, _ span: SourceSpan) -> ModelShape? {
        let registry = ModelRegistry()
        var access = self.access
        let target: String
        if let known = ModelRegistry.known.first(where: { $0.name == request }) {
            guard registry.isFetched(known) else { return nil }
            access.allowReading(registry.folder(of: known))
            target = request
        } else {
            guard let path = try? access.resolve(request, relativeTo: span.file.directory, forWriting: false) else { return nil }
            target = path
        }
        guard let d = try? registry.describe(target, access: access) else { return nil }
        return ModelShape(input: .tokens, width: Dim(d.tokenDim), output: d.outputWidth.map { Dim($0) } ?? .unknown, prefix: d.prefixLayout)
    }
}
