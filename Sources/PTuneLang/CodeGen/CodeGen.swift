/// A top-level statement compiled for the machine.
struct CompiledStatement {
    /// Where the statement is.
    let span: SourceSpan
    /// Its code.
    let exec: Exec
    /// Local slots it needs while running.
    let frameSize: Int
    /// For a bare expression: code that evaluates it (the REPL prints the value).
    let value: Code?
    /// The session's names once this statement has run.
    let tableAfter: GlobalTable
}

/// The code-generation pass: turns what ``Checker`` produced into closures that run on a ``Machine`` with no name
/// lookups and no per-node allocation on the hot path. Every name is a slot by now and every call bound, so this
/// pass reports nothing; what the closures do when they run lives in `Runtime/`.
enum CodeGen {
    /// Compiles checked top-level statements.
    static func program(_ statements: [CheckedStatement]) -> [CompiledStatement] {
        statements.map { s in
            CompiledStatement(span: s.span, exec: statement(s.body), frameSize: s.frameSize,
                              value: s.value.map { expression($0.expr) }, tableAfter: s.tableAfter)
        }
    }

    /// A block's statements as one piece of code.
    static func block(_ statements: [CheckedStmt]) -> Exec {
        // Wrapped in `Step` so that the closures are not reabstracted by the array (see `CodeBox`).
        let execs = statements.map { Step(exec: statement($0)) }
        switch execs.count {
        case 0: return { _ in .next }
        case 1: return execs[0].exec
        default:
            return { m in
                for e in execs {
                    let f = try e.exec(m)
                    if case .next = f { continue }
                    return f
                }
                return .next
            }
        }
    }

    // MARK: - Slots

    /// Code that reads a slot (a global one must hold a value: reading one whose declaration failed is an error
    /// at `span`).
    static func load(_ slot: Slot, _ span: SourceSpan) -> Code {
        switch slot {
        case let .global(i, name):
            return { m in
                guard m.initialized[i] else { throw RuntimeFailure(.uninitialized(name), at: span) }
                return m.globals[i]
            }
        case let .local(i):
            return { m in m.stack[m.base + i] }
        case let .capture(i):
            return { m in
                guard let f = m.currentFunction, i < f.captures.count else { throw RuntimeFailure(.internalError("no captured value \(i)"), at: span) }
                return f.captures[i]
            }
        case .itself:
            return { m in
                guard let f = m.currentFunction else { throw RuntimeFailure(.internalError("no running function"), at: span) }
                return .function(f)
            }
        case let .sibling(k):
            return { m in
                guard let sibling = m.currentFunction?.group?.member(k) else {
                    throw RuntimeFailure(.internalError("no function \(k) in the running function's group"), at: span)
                }
                return .function(sibling)
            }
        }
    }

    /// Code that writes a value into a slot.
    static func write(_ slot: Slot) -> (Machine, Value) -> Void {
        switch slot {
        case let .global(i, _):
            return { m, v in
                m.globals[i] = v
                m.initialized[i] = true
            }
        case let .local(i):
            return { m, v in m.stack[m.base + i] = v }
        case .capture, .itself, .sibling:
            // The checker refuses assignments to captured names.
            return { _, _ in }
        }
    }

    /// Code that stores what `code` computes into a slot, locating its errors at `span`.
    static func store(_ slot: Slot, _ code: @escaping Code, _ span: SourceSpan) -> Exec {
        switch slot {
        case let .global(i, _):
            return { m in
                let v: Value
                do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: span) }
                m.globals[i] = v
                m.initialized[i] = true
                return .next
            }
        case let .local(i):
            return { m in
                let v: Value
                do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: span) }
                m.stack[m.base + i] = v
                return .next
            }
        case .capture, .itself, .sibling:
            return { _ in throw RuntimeFailure(.internalError("assignment to a captured name"), at: span) }
        }
    }
}
