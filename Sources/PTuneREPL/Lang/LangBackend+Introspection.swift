import Foundation
import PTuneCore
import PTuneLang

/// What the REPL asks the session: `:vars`, `:type`, and the names tab completion offers.
///
/// The language's session does not (yet) list its names, types or members itself, so these are answered from its
/// public surface: the names come from the declarations of the inputs that ran, values by evaluating a name (or a
/// dotted chain of names, which has no effects), and static errors by checking without running.
extension LangBackend {
    /// Contextual words the parser treats as keywords where a rule names them.
    static let contextualKeywords = ["model", "encoder", "data", "train", "on", "save", "to", "load", "from", "every"]

    /// The properties every value of a kind has (records, datasets and models add their own fields).
    static func propertyNames(ofKind kind: String) -> [String] {
        switch kind {
        case "tensor", "param": return ["shape", "dtype", "rank", "count", "T"]
        case "list", "string": return ["count"]
        case "range": return ["count", "start", "end"]
        case "dataset": return ["count", "columns"]
        case "model": return ["kind", "frozen", "parameters"]
        case "encoder": return ["kind", "n", "dim", "parameters", "tokens"]
        case "optimizer": return ["kind", "lr", "steps", "loss"]
        case "schedule": return ["kind", "warmup"]
        case "fn", "builtin": return ["name", "arity"]
        default: return []
        }
    }

    /// The value of `expression` when it is a name or a dotted chain of names (evaluating it has no effects).
    func peek(_ expression: String) -> Value? {
        let chain = expression.split(separator: ".", omittingEmptySubsequences: false)
        guard !chain.isEmpty, chain.allSatisfy({ part in
            guard let first = part.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
            return part.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        }) else { return nil }
        guard let root = chain.first, declared.contains(where: { $0.name == String(root) }) else { return nil }
        return evaluate(expression)
    }

    /// Evaluates `expression` quietly; nil on any error.
    func evaluate(_ expression: String) -> Value? {
        let saved = session.output
        session.output = OutputSink(write: { _ in }, note: { _ in })
        defer { session.output = saved }
        return (try? session.run(SourceFile(name: "<inspect>", text: expression)))?.first
    }

    // MARK: - CompletionSource

    /// Reserved and contextual keywords.
    public var keywords: [String] { Keyword.allCases.map(\.rawValue) + LangBackend.contextualKeywords }

    /// Every builtin callable by name.
    public var builtinNames: [String] { session.registry.globalNames }

    /// The names the session's inputs declared.
    public func namesInScope() -> [String] { declared.map(\.name) }

    /// Properties and methods of the value `expression` names.
    public func members(of expression: String) -> [String] {
        guard let value = peek(expression) else { return [] }
        var names = LangBackend.propertyNames(ofKind: value.kindName)
        let methodKind = value.kindName == "param" ? "tensor" : value.kindName
        names += session.registry.methodNames(methodKind)
        switch value {
        case let .record(r): names += r.names
        case let .dataset(d): names += d.names
        case let .model(m): names += m.properties.map(\.0)
        case .none, .number, .bool, .string, .tensor, .param, .list, .range, .function, .builtin, .encoder, .optimizer,
             .schedule:
            break
        }
        return Array(Set(names)).sorted()
    }

    /// The parameter names of a builtin (`adam`) or method (`opt.step`).
    public func parameterNames(of callee: String) -> [String] {
        if let b = session.registry.global(callee) { return b.parameterNames }
        guard let dot = callee.lastIndex(of: ".") else { return [] }
        let receiver = String(callee[..<dot]), method = String(callee[callee.index(after: dot)...])
        guard let value = peek(receiver) else { return [] }
        let kind = value.kindName == "param" ? "tensor" : value.kindName
        return session.registry.method(kind, method)?.parameterNames ?? []
    }

    /// Builtins, topics and keywords `:help` explains.
    public var helpTopics: [String] {
        session.registry.globalNames + session.registry.topics.map(\.topic) + Array(LangHelp.keywords.keys)
    }

    // MARK: - :vars and :type

    /// One row per declared name that holds a value now.
    public func variables() -> [VariableInfo] {
        declared.compactMap { name, declaredKind in
            guard let value = evaluate(name) else { return nil }
            return LangBackend.info(name: name, declaredKind: declaredKind, value: value)
        }
    }

    /// A row of `:vars` for a value.
    static func info(name: String, declaredKind: String, value: Value) -> VariableInfo {
        switch value {
        case let .tensor(t):
            let frozen = declaredKind == "frozen"
            return VariableInfo(name: name, kind: declaredKind, detail: tensorText(t), parameterCount: frozen ? t.count : nil,
                                trainable: frozen ? false : nil)
        case let .param(p):
            return VariableInfo(name: name, kind: "param", detail: tensorText(p.tensor), parameterCount: p.tensor.count, trainable: true)
        case let .model(m):
            return VariableInfo(name: name, kind: m.isFrozen ? "frozen model" : "model", detail: m.summary,
                                parameterCount: m.parameterCount, trainable: !m.isFrozen)
        case let .encoder(e):
            return VariableInfo(name: name, kind: "encoder", detail: e.summary, parameterCount: e.parameterCount, trainable: true)
        case .number:
            return VariableInfo(name: name, kind: declaredKind, detail: (declaredKind == "dim" ? "dim = " : "number = ") + value.description)
        case let .function(f):
            return VariableInfo(name: name, kind: "fn", detail: "fn \(f.name)(\(f.parameterNames.joined(separator: ", ")))")
        case let .dataset(d):
            return VariableInfo(name: name, kind: "data", detail: d.description)
        case .none, .bool, .string, .list, .range, .record, .builtin, .optimizer, .schedule:
            let text = value.debugText
            return VariableInfo(name: name, kind: declaredKind == "let" ? value.kindName : declaredKind,
                                detail: text.count > 60 ? String(text.prefix(57)) + "..." : text)
        }
    }

    /// `[2, 4] float64`.
    static func tensorText(_ t: Tensor) -> String {
        "[" + t.shape.map(String.init).joined(separator: ", ") + "] " + t.dtype.rawValue
    }

    /// The type of `expression`: static errors without running; otherwise the type of its value when evaluating it
    /// has no effects (no method calls, no file access).
    public func typeDescription(of expression: String) -> Result<String, RunFailureText> {
        let file = SourceFile(name: "<type>", text: expression)
        let parsed = Parser.parse(file)
        guard !parsed.isIncomplete else { return .failure(RunFailureText("error: the expression is not finished")) }
        guard parsed.statements.count == 1, case let .expression(expr, _) = parsed.statements[0] else {
            if !parsed.diagnostics.isEmpty { return .failure(RunFailureText(parsed.diagnostics.map { $0.rendered(color: console.color) }.joined(separator: "\n"))) }
            return .failure(RunFailureText("error: :type takes one expression"))
        }
        do { try session.check(file) } catch { return .failure(RunFailureText(render(error))) }
        if let effect = effect(in: expr) {
            return .failure(RunFailureText("note: the checker accepts it; its type shows only by running it, and it \(effect)"))
        }
        guard let value = evaluate(expression) else {
            return .failure(RunFailureText("note: the checker accepts it, but it fails when run; run it to see the error"))
        }
        return .success(LangBackend.typeText(value))
    }

    /// The type of a value in words: `tensor [2, 4] float64`, `number = 3`, `model mlp 4 -> 8 -> 4 (frozen)`.
    static func typeText(_ value: Value) -> String {
        switch value {
        case let .tensor(t): return "tensor " + tensorText(t)
        case let .param(p): return "param " + tensorText(p.tensor)
        case .number: return "number = " + value.description
        case let .model(m): return "model " + m.summary + (m.isFrozen ? " (frozen)" : "")
        case let .encoder(e): return "encoder " + e.summary
        case let .list(items):
            let kinds = Set(items.map(\.kindName))
            return "list of \(items.count)" + (kinds.count == 1 ? " " + (kinds.first ?? "") + (items.count == 1 ? "" : "s") : "")
        case let .record(r): return "record {" + r.names.joined(separator: ", ") + "}"
        case let .function(f): return "fn \(f.name)(\(f.parameterNames.joined(separator: ", ")))"
        case let .builtin(b): return "builtin " + b.signature
        case .none, .bool, .string, .range, .dataset, .optimizer, .schedule: return value.kindName
        }
    }

    /// Why evaluating `expr` could change something (a method call, a builtin that reads or writes files), or nil.
    func effect(in expr: Expr) -> String? {
        switch expr {
        case .number, .string, .bool, .none, .name, .tensor: return nil
        case let .list(items, _), let .chain(items, _): return items.lazy.compactMap(effect).first
        case let .unary(_, e, _), let .member(e, _, _): return effect(in: e)
        case let .binary(_, a, b, _): return effect(in: a) ?? effect(in: b)
        case let .index(e, subs, _):
            if let x = effect(in: e) { return x }
            for s in subs {
                switch s {
                case let .at(i): if let x = effect(in: i) { return x }
                case let .slice(a, b, c, _): if let x = [a, b, c].compactMap({ $0 }).lazy.compactMap(effect).first { return x }
                }
            }
            return nil
        case let .call(callee, args, _):
            if case let .member(_, name, _) = callee { return "calls the method '\(name)'" }
            if case let .name(name, _) = callee, let b = session.registry.global(name), b.topic == "io" {
                return "calls '\(name)', which uses files"
            }
            return effect(in: callee) ?? args.lazy.compactMap { self.effect(in: $0.value) }.first
        }
    }
}
