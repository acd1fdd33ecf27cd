/// Every builtin of the language, by name and by the kind of value they are methods of.
///
/// The builtins live in files by concern — `Builtins+Tensor.swift`, `Builtins+Math.swift`, `Builtins+NN.swift`,
/// `Builtins+Data.swift`, `Builtins+IO.swift`, `Builtins+Models.swift` — each contributing one list here.
public struct BuiltinRegistry: Sendable {
    /// Every builtin, in registration order.
    public let all: [Builtin]
    private let byName: [String: Builtin]
    private let byKind: [ValueKind: [String: Builtin]]

    /// A registry of `builtins` (a later one with the same name replaces an earlier one).
    init(_ builtins: [Builtin]) {
        var all: [Builtin] = []
        var byName: [String: Builtin] = [:]
        var byKind: [ValueKind: [String: Builtin]] = [:]
        for b in builtins {
            if let old = all.firstIndex(where: { $0.name == b.name && $0.receiver == b.receiver }) { all[old] = b } else { all.append(b) }
            if b.isGlobal { byName[b.name] = b }
            if let k = b.receiver { byKind[k, default: [:]][b.name] = b }
        }
        self.all = all
        self.byName = byName
        self.byKind = byKind
    }

    /// The language's builtins.
    public static let standard = BuiltinRegistry(
        BuiltinRegistry.tensorBuiltins + BuiltinRegistry.mathBuiltins + BuiltinRegistry.nnBuiltins
            + BuiltinRegistry.dataBuiltins + BuiltinRegistry.ioBuiltins + BuiltinRegistry.tableBuiltins + BuiltinRegistry.modelBuiltins
            + BuiltinRegistry.plotBuiltins)

    /// The builtin scripts call as `name(…)`.
    public func global(_ name: String) -> Builtin? { byName[name] }

    /// The method `name` of values of `kind` (`tensor`, `dataset`, `optimizer`, …).
    public func method(_ kind: ValueKind, _ name: String) -> Builtin? { byKind[kind]?[name] }

    /// Every name callable as `name(…)`, sorted.
    public var globalNames: [String] { byName.keys.sorted() }

    /// Every method name of `kind`, sorted.
    public func methodNames(_ kind: ValueKind) -> [String] { (byKind[kind] ?? [:]).keys.sorted() }

    /// The names of the methods of `kind` that `include` accepts, sorted.
    public func methodNames(_ kind: ValueKind, where include: (Builtin) -> Bool) -> [String] {
        (byKind[kind] ?? [:]).filter { include($0.value) }.keys.sorted()
    }

    /// The builtins of `topic`, in registration order.
    public func builtins(of topic: BuiltinTopic) -> [Builtin] { all.filter { $0.topic == topic } }
}
