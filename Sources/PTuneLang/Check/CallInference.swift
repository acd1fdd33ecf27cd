/// What re-checking user-function bodies with call-site argument types has found, shared by a checker and the
/// copies it makes for those re-checks, so each (function, argument types, depth) is checked once per top-level
/// statement. Without it a body of n calls of its own function is re-checked n times at each of three depths —
/// `f(f(f(0, 0), f(0, 0)), …)` six deep took 17 s to check — and a total budget bounds what distinct argument
/// types can still make a program cost.
final class CallInference {
    /// The most bodies re-checked for one top-level statement; past it a call's type is the function's own.
    static let budget = 4_096

    /// A function declaration (by where it is) at one depth of re-checking, in a checker that reports mistakes or
    /// one that drops them (whose re-checks find none).
    struct Key: Hashable {
        let file: ObjectIdentifier
        let start: Int
        let end: Int
        let depth: Int
        let silent: Bool

        init(_ decl: FunctionDecl, depth: Int, silent: Bool) {
            file = ObjectIdentifier(decl.span.file)
            start = decl.span.start
            end = decl.span.end
            self.depth = depth
            self.silent = silent
        }
    }

    /// One re-check: the argument types, the type found, and the first mistake the arguments caused in an
    /// expression body (reported again at each call that has them).
    struct Entry {
        let arguments: [LangType]
        let result: LangType
        let firstDiagnostic: Diagnostic?
    }

    private var entries: [Key: [Entry]] = [:]
    /// Bodies re-checked since the last ``forget()``.
    private(set) var checked = 0

    /// The re-check of `key` with `arguments`, if one was made.
    func entry(_ key: Key, _ arguments: [LangType]) -> Entry? {
        entries[key]?.first { $0.arguments == arguments }
    }

    /// Keeps a re-check's outcome.
    func keep(_ key: Key, _ entry: Entry) {
        entries[key, default: []].append(entry)
        checked += 1
    }

    /// Whether the budget allows another re-check.
    var hasBudget: Bool { checked < CallInference.budget }

    /// Forgets everything (a new top-level statement: the names it sees may have changed).
    func forget() {
        entries.removeAll(keepingCapacity: true)
        checked = 0
    }
}
