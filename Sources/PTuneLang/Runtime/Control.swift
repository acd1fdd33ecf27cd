import PTuneCore

/// Control flow at run time: conditions and loops. ``CodeGen`` compiles `if`, `while`, `for`, `and`, `or` and
/// `assert` into closures that call these.
enum Control {
    /// Evaluates a condition: a bool, or a one-element tensor (non-zero is true).
    @inline(__always)
    static func truth(_ c: Code, _ m: Machine, _ span: SourceSpan) throws -> Bool {
        let v = try c(m)
        if case let .bool(b) = v { return b }
        do { return try Operators.truth(v) } catch { throw RuntimeFailure.located(error, at: span) }
    }

    /// `while cond { body }`: the condition is written at `span`.
    static func whileLoop(_ cond: Code, _ span: SourceSpan, _ body: Exec, _ m: Machine) throws -> Flow {
        while try truth(cond, m, span) {
            try m.checkInterrupt()
            switch try body(m) {
            case .next, .continueLoop: continue
            case .breakLoop: return .next
            case .returned: return .returned
            }
        }
        return .next
    }

    /// `for x in sequence { body }` with each element in local `slot`: a range gives its integers, a list its
    /// elements, a rank-1 tensor its elements as numbers, a tensor of higher rank its rows. The sequence is written at
    /// `span`.
    static func forIn(_ sequence: Value, slot: Int, _ body: Exec, _ m: Machine, _ span: SourceSpan) throws -> Flow {
        switch sequence {
        case let .range(lo, hi):
            var i = lo
            while i < hi {
                try m.checkInterrupt()
                m.stack[m.base + slot] = .number(Double(i))
                switch try body(m) {
                case .next, .continueLoop: break
                case .breakLoop: return .next
                case .returned: return .returned
                }
                i += 1
            }
            return .next
        case let .list(items):
            for v in items {
                try m.checkInterrupt()
                m.stack[m.base + slot] = v
                switch try body(m) {
                case .next, .continueLoop: continue
                case .breakLoop: return .next
                case .returned: return .returned
                }
            }
            return .next
        case .tensor, .param:
            guard let t = sequence.tensorValue, t.rank >= 1 else {
                throw RuntimeFailure(.wrongKind(context: "'for … in'", expected: "a tensor with at least one axis", got: sequence.kindText), at: span)
            }
            let elements = t.rank == 1 ? t.doubles : []
            for i in 0..<t.shape[0] {
                try m.checkInterrupt()
                if t.rank == 1 {
                    m.stack[m.base + slot] = .number(elements[i])
                } else {
                    do { m.stack[m.base + slot] = .tensor(try t.indexed([.at(i)])) } catch { throw RuntimeFailure.located(error, at: span) }
                }
                switch try body(m) {
                case .next, .continueLoop: continue
                case .breakLoop: return .next
                case .returned: return .returned
                }
            }
            return .next
        case .none, .number, .bool, .string, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "'for … in'", expected: "a range, a list or a tensor", got: sequence.kindText), at: span)
        }
    }
}
