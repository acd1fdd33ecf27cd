import PTuneCore
import PTuneNN

extension Value: CustomStringConvertible {
    /// How `print` shows the value: numbers shortest (integers without `.0`), tensors numpy-style with shape and
    /// dtype (a rank-0 tensor as its number), strings as they are.
    public var description: String { render(quoted: false) }

    /// How the REPL echoes a value and lists show their items: strings in quotes.
    public var debugText: String { render(quoted: true) }

    /// The value written as a script literal, where it has one (`0.01`, `"text"`, `none`).
    var literalText: String { render(quoted: true) }

    func render(quoted: Bool) -> String {
        switch self {
        case .none: return "none"
        case let .number(v): return Value.format(v)
        case let .bool(b): return b ? "true" : "false"
        case let .string(s): return quoted ? Value.quote(s) : s
        case let .tensor(t): return t.description
        case let .param(p): return p.value.detached().description
        case let .list(items): return "[" + items.map { $0.render(quoted: true) }.joined(separator: ", ") + "]"
        case let .range(lo, hi): return "\(lo)..<\(hi)"
        case let .record(r):
            return "{" + zip(r.names, r.values).map { "\($0): \($1.render(quoted: true))" }.joined(separator: ", ") + "}"
        case let .function(f): return "fn \(f.name)(\(f.parameterNames.joined(separator: ", ")))"
        case let .builtin(b): return "builtin " + b.signature
        case let .model(m): return m.description
        case let .encoder(e): return e.description
        case let .dataset(d): return d.description
        case let .optimizer(o): return o.description
        case let .schedule(s): return s.description
        }
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

    /// The tensor literal a list of numbers (or nested lists of numbers) spells, or nil.
    static func tensorLiteral(_ items: [Value]) -> TensorLiteral? {
        var out: [TensorLiteral] = []
        out.reserveCapacity(items.count)
        for item in items {
            switch item {
            case let .number(v): out.append(.scalar(v))
            case let .bool(b): out.append(.scalar(b ? 1 : 0))
            case let .list(inner):
                guard let l = tensorLiteral(inner) else { return nil }
                out.append(l)
            case .none, .string, .tensor, .param, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                return nil
            }
        }
        return .list(out)
    }
}
