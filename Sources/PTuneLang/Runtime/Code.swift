/// Compiled code of an expression: evaluates it on the machine.
typealias Code = (Machine) throws -> Value
/// Compiled code of a statement: runs it and says how it finished.
typealias Exec = (Machine) throws -> Flow

/// How a statement finished: normally, or by `break`, `continue` or `return` (whose value the machine holds).
enum Flow {
    case next
    case breakLoop
    case continueLoop
    case returned
}

/// Compiled code of an expression kept in a struct, for arrays of argument code on the hot path (a closure kept in
/// a struct is called directly; one pulled out of a `[Code]` array goes through a reabstraction thunk).
struct CodeBox {
    let code: Code
}

/// Compiled code of a statement, kept in a struct so arrays of them do not reabstract the closure.
struct Step {
    let exec: Exec
}
