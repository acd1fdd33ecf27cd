import PTuneCore

/// Shape inference with named dims (Dex-style), shared by the checker and the builtins' static rules. Each rule
/// returns the result's dims or throws the catalogue message that names both offending dims.
enum ShapeRules {
    /// numpy broadcasting of two shapes (`op` is the verb in the message: add, multiply, broadcast, …).
    static func broadcast(_ a: [Dim], _ b: [Dim], op: String) throws(Message) -> [Dim] {
        let n = Swift.max(a.count, b.count)
        var out: [Dim] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let da = i < n - a.count ? Dim(1) : a[i - (n - a.count)]
            let db = i < n - b.count ? Dim(1) : b[i - (n - b.count)]
            if da.isOne { out.append(db); continue }
            if db.isOne { out.append(da); continue }
            if da.conflicts(with: db) {
                throw .shapeMismatch(op: op, lhs: text(a), rhs: text(b), left: da.description, right: db.description)
            }
            // Prefer the dim that says more: a name, or at least a value.
            out.append(da.name != nil || db.name == nil ? (da.value == nil ? db : da) : db)
        }
        return out
    }

    /// Matrix product `a @ b` (1-D operands as in numpy; leading axes broadcast).
    static func matmul(_ a: [Dim], _ b: [Dim]) throws(Message) -> [Dim] {
        guard !a.isEmpty, !b.isEmpty else { throw .badShape(op: "matmul", "both operands need at least one axis") }
        let inner = a[a.count - 1]
        let other = b.count >= 2 ? b[b.count - 2] : b[0]
        if inner.conflicts(with: other) {
            throw .shapeMismatch(op: "matmul", lhs: text(a), rhs: text(b), left: inner.description, right: other.description)
        }
        if a.count == 1 && b.count == 1 { return [] }
        if a.count == 1 { return Array(b.dropLast(2)) + [b[b.count - 1]] }
        if b.count == 1 { return Array(a.dropLast()) }
        let batch = try broadcast(Array(a.dropLast(2)), Array(b.dropLast(2)), op: "matmul")
        return batch + [a[a.count - 2], b[b.count - 1]]
    }

    /// Joining shapes along `axis`: every other axis must agree; the joined axis adds up.
    static func concat(_ shapes: [[Dim]], axis: Int) throws(Message) -> [Dim] {
        guard let first = shapes.first else { throw .badShape(op: "concat", "needs at least one tensor") }
        guard !first.isEmpty else { throw .badShape(op: "concat", "cannot concat rank-0 tensors; stack them") }
        let ax = axis < 0 ? axis + first.count : axis
        guard ax >= 0 && ax < first.count else {
            throw .tensor(TensorError.axisOutOfRange(op: .concat, axis: axis, rank: first.count).description)
        }
        var out = first
        for s in shapes.dropFirst() {
            guard s.count == first.count else {
                throw .badShape(op: "concat", "cannot concat \(text(first)) with \(text(s)): ranks \(first.count) and \(s.count) differ")
            }
            for i in 0..<s.count where i != ax && first[i].conflicts(with: s[i]) {
                throw .shapeMismatch(op: "concat", lhs: text(first), rhs: text(s), left: first[i].description, right: s[i].description)
            }
            out[ax] = add(out[ax], s[ax])
        }
        return out
    }

    /// Stacking equal shapes along a new axis.
    static func stack(_ shapes: [[Dim]], axis: Int) throws(Message) -> [Dim] {
        guard let first = shapes.first else { throw .badShape(op: "stack", "needs at least one tensor") }
        for s in shapes.dropFirst() {
            guard s.count == first.count else {
                throw .badShape(op: "stack", "cannot stack \(text(first)) with \(text(s)): ranks differ")
            }
            for i in 0..<s.count where first[i].conflicts(with: s[i]) {
                throw .shapeMismatch(op: "stack", lhs: text(first), rhs: text(s), left: first[i].description, right: s[i].description)
            }
        }
        let ax = axis < 0 ? axis + first.count + 1 : axis
        guard ax >= 0 && ax <= first.count else {
            throw .tensor(TensorError.axisOutOfRange(op: .stack, axis: axis, rank: first.count + 1).description)
        }
        var out = first
        out.insert(Dim(shapes.count), at: ax)
        return out
    }

    /// A reduction over `axis` (nil: all axes).
    static func reduce(_ s: [Dim], axis: Int?, keepDims: Bool, op: String) throws(Message) -> [Dim] {
        guard let axis else { return keepDims ? s.map { _ in Dim(1) } : [] }
        let ax = axis < 0 ? axis + s.count : axis
        guard ax >= 0 && ax < s.count else {
            throw .badShape(op: op, "axis \(axis) is out of range for a tensor of rank \(s.count)")
        }
        var out = s
        if keepDims { out[ax] = Dim(1) } else { out.remove(at: ax) }
        return out
    }

    /// The sum of two dims (`virtual + 1`).
    static func add(_ a: Dim, _ b: Dim) -> Dim {
        let value: Int? = a.value.flatMap { x in b.value.map { x + $0 } }
        return Dim(value, name: combine(a, "+", b))
    }

    /// A name for `a op b` when either side has a name.
    static func combine(_ a: Dim, _ op: String, _ b: Dim) -> String? {
        guard a.name != nil || b.name != nil else { return nil }
        return "\(a) \(op) \(b)"
    }

    /// `[virtual, embed]`
    static func text(_ s: [Dim]) -> String { "[" + s.map(\.description).joined(separator: ", ") + "]" }

    /// The dtype two operands combine to, or throws when both are known and differ.
    static func dtype(_ a: DType?, _ b: DType?, op: String) throws(Message) -> DType? {
        if let a, let b, a != b { throw .dtypeMismatch(op: op, a.rawValue, b.rawValue) }
        return a ?? b
    }

    /// A dim from a number's static type (dims keep their names).
    static func dim(from t: LangType) -> Dim {
        switch t {
        case let .dim(d): return d
        case let .number(v): return Dim(v.flatMap(Value.exactInt))
        case .unknown, .none, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin, .model,
             .encoder, .dataset, .optimizer, .schedule:
            return .unknown
        }
    }
}
