import PTuneCore
import PTuneNN

extension Value: CustomStringConvertible {
    /// How `print` shows the value: numbers shortest (integers without `.0`), tensors numpy-style with shape and
    /// dtype (a rank-0 tensor as its number), strings as they are.
    /// Text past ``shownLimit`` bytes (a list that holds itself twice, doubled forty times), or cut short by Ctrl-C,
    /// is shown as `…`; `print` and `str` use ``printed(quoted:)``, which says why.
    public var description: String { (try? rendered(quoted: false, limit: Value.shownLimit, stopping: true)) ?? "…" }

    /// How the REPL echoes a value and lists show their items: strings in quotes.
    public var debugText: String { (try? rendered(quoted: true, limit: Value.shownLimit, stopping: true)) ?? "…" }

    /// The most bytes of text ``description`` and ``debugText`` make.
    static let shownLimit = 1 << 26

    /// The value written as a script literal, where it has one (`0.01`, `"text"`, `none`).
    var literalText: String { debugText }

    /// The text of the value as `print` and `str` make it, within the memory the session has left and stopping
    /// when the script is stopped: a list nested a million deep, or one whose text would be larger than memory
    /// (a list that holds itself twice, doubled forty times), is an error, never a crash.
    func printed(quoted: Bool = false) throws -> String {
        try rendered(quoted: quoted, limit: TensorContext.budget?.available ?? .max, stopping: true)
    }

    /// The text of one value that holds no others.
    func leafText(quoted: Bool) -> String {
        switch self {
        case .none: return "none"
        case let .number(v): return Value.format(v)
        case let .bool(b): return b ? "true" : "false"
        case let .string(s): return quoted ? Value.quote(s) : s
        case let .tensor(t): return t.description
        case let .param(p): return p.value.detached().description
        case let .range(lo, hi): return "\(lo)..<\(hi)"
        case let .function(f): return "fn \(f.name)(\(f.parameterNames.joined(separator: ", ")))"
        case let .builtin(b): return "builtin " + b.signature
        case let .model(m): return m.description
        case let .encoder(e): return e.description
        case let .dataset(d): return d.description
        case let .optimizer(o): return o.description
        case let .schedule(s): return s.description
        case .list: return "[…]"
        case .record: return "{…}"
        }
    }

    /// Renders iteratively (an explicit stack, not recursion), failing once the text passes `limit` bytes; with
    /// `stopping`, asks ``TensorContext/checkStop()`` every few thousand values.
    func rendered(quoted: Bool, limit: Int, stopping: Bool) throws -> String {
        // A list that holds itself twice, doubled forty times, is small but its text is not: measure first.
        if case .list = self {
            let least = minimumTextBytes()
            if least > limit {
                throw TensorError.memoryLimit(what: "the text of this value", bytes: least, held: TensorContext.budget?.heldBytes ?? 0,
                                              limit: TensorContext.budget?.maxBytes ?? limit)
            }
        }
        enum Piece { case value(Value, quoted: Bool), text(String) }
        var out = ""
        var pending: [Piece] = [.value(self, quoted: quoted)]
        var visited = 0
        while let piece = pending.popLast() {
            switch piece {
            case let .text(t): out += t
            case let .value(.list(items), _):
                pending.append(.text("]"))
                for i in stride(from: items.count - 1, through: 0, by: -1) {
                    pending.append(.value(items[i], quoted: true))
                    if i > 0 { pending.append(.text(", ")) }
                }
                pending.append(.text("["))
            case let .value(.record(r), _):
                pending.append(.text("}"))
                for i in stride(from: r.names.count - 1, through: 0, by: -1) {
                    pending.append(.value(r.values[i], quoted: true))
                    pending.append(.text((i > 0 ? ", " : "") + r.names[i] + ": "))
                }
                pending.append(.text("{"))
            case let .value(v, q): out += v.leafText(quoted: q)
            }
            visited += 1
            if out.utf8.count > limit {
                throw TensorError.memoryLimit(what: "the text of this value", bytes: out.utf8.count, held: TensorContext.budget?.heldBytes ?? 0,
                                              limit: TensorContext.budget?.maxBytes ?? limit)
            }
            if stopping && visited & 4095 == 0 { try TensorContext.checkStop() }
        }
        return out
    }

    /// A lower bound of the bytes of the value's text: the brackets and separators of every list and record and one
    /// byte per other value, a list held in several places counted each time (as its text repeats), but walked once.
    func minimumTextBytes() -> Int {
        enum Step { case enter(Value), exitList(ListValue), exitRecord(Record) }
        var memo: [ObjectIdentifier: Int] = [:]
        var steps: [Step] = [.enter(self)]
        var sizes: [Int] = []
        func close(_ id: ObjectIdentifier, _ count: Int) {
            var total = 2 &+ 2 &* Swift.max(0, count - 1)
            for _ in 0..<count {
                let (t, overflow) = total.addingReportingOverflow(sizes.popLast() ?? 0)
                total = overflow ? .max : t
            }
            memo[id] = total
            sizes.append(total)
        }
        while let step = steps.popLast() {
            switch step {
            case let .enter(.list(l)):
                if let known = memo[ObjectIdentifier(l)] { sizes.append(known); continue }
                steps.append(.exitList(l))
                for item in l { steps.append(.enter(item)) }
            case let .enter(.record(r)):
                if let known = memo[ObjectIdentifier(r)] { sizes.append(known); continue }
                steps.append(.exitRecord(r))
                for item in r.values { steps.append(.enter(item)) }
            case .enter: sizes.append(1)
            case let .exitList(l): close(ObjectIdentifier(l), l.count)
            case let .exitRecord(r): close(ObjectIdentifier(r), r.values.count)
            }
        }
        return sizes.last ?? 0
    }

    /// A number as ptune prints it: integers plainly, others in the shortest form that reads back exactly.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    /// A string in double quotes with escapes.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    }

    /// `v` as an `Int` when it is integral and in range.
    @inline(__always) static func exactInt(_ v: Double) -> Int? {
        guard v == v.rounded(), Swift.abs(v) < 9.0e15 else { return nil }
        return Int(v)
    }

    /// The tensor literal a list of numbers (or nested lists of numbers) spells, or nil; a list nested deeper than
    /// a tensor's axes may go is an error.
    static func tensorLiteral(_ items: some Collection<Value>) throws -> TensorLiteral? {
        var deepest = 0
        for case let .list(inner) in items { deepest = Swift.max(deepest, inner.depth) }
        guard deepest < Tensor.maxRank else { throw TensorError.tooManyAxes(deepest + 1) }
        return literal(items)
    }

    /// ``tensorLiteral(_:)`` once the depth is known to be small.
    private static func literal(_ items: some Collection<Value>) -> TensorLiteral? {
        var out: [TensorLiteral] = []
        out.reserveCapacity(items.count)
        for item in items {
            switch item {
            case let .number(v): out.append(.scalar(v))
            case let .bool(b): out.append(.scalar(b ? 1 : 0))
            case let .list(inner):
                guard let l = literal(inner) else { return nil }
                out.append(l)
            case .none, .string, .tensor, .param, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                return nil
            }
        }
        return .list(out)
    }
}
