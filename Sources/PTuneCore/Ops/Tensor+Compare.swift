/// An elementwise comparison.
public enum Comparison: String, Sendable, CaseIterable {
    /// `==`
    case equal = "=="
    /// `!=`
    case notEqual = "!="
    /// `<`
    case less = "<"
    /// `<=`
    case lessEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterEqual = ">="

    /// Whether `a ⋄ b` holds.
    @inline(__always) public func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessEqual: return a <= b
        case .greater: return a > b
        case .greaterEqual: return a >= b
        }
    }
}

extension Tensor {
    /// `a ⋄ b` elementwise with broadcasting: 1 where it holds, 0 elsewhere, in the operands' dtype. Not
    /// differentiable (its result carries no gradient).
    public static func compare(_ a: Tensor, _ b: Tensor, _ cmp: Comparison) throws -> Tensor {
        let plan = try binaryPlan(a, b, op: .compare)
        switch a.dtype {
        case .float32: return try zipMap(a, b, plan, Float.self, Float.self) { cmp.holds($0, $1) ? 1 : 0 }
        case .float64: return try zipMap(a, b, plan, Double.self, Double.self) { cmp.holds($0, $1) ? 1 : 0 }
        case .int64: return try zipMap(a, b, plan, Int64.self, Int64.self) { cmp.holds($0, $1) ? 1 : 0 }
        }
    }

    /// `a ⋄ s` elementwise against a number.
    public func compare(_ cmp: Comparison, _ s: Double) throws -> Tensor {
        try Tensor.compare(self, try Tensor(scalar: s, dtype: dtype), cmp)
    }

    /// Picks `a` where `condition` is non-zero and `b` elsewhere, broadcasting all three. Gradients flow to `a` and
    /// `b` through the positions each one supplied.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.dtype == b.dtype else { throw TensorError.dtypeMismatch(op: .where, a.dtype, b.dtype) }
        guard let s1 = Shape.broadcast(condition.shape, a.shape), let shape = Shape.broadcast(s1, b.shape) else {
            throw TensorError.broadcastMismatch(op: .where, condition.shape, Shape.broadcast(a.shape, b.shape) ?? b.shape)
        }
        let c = try condition.detached().broadcasted(to: shape).to(a.dtype)
        let ab = try a.detached().broadcasted(to: shape), bb = try b.detached().broadcasted(to: shape)
        var out = try Tensor(uninitialized: shape, dtype: a.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let pc = c.storage.typed(T.self), pa = ab.storage.typed(T.self), pb = bb.storage.typed(T.self)
            let po = out.storage.typed(T.self)
            for i in 0..<out.count { po[i] = pc[i] != 0 ? pa[i] : pb[i] }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
        out.node = nil
        let sa = a.shape, sb = b.shape
        return record("where", out, a, b, { g, needs in
            let zero = try Tensor.zeros([], dtype: g.dtype)
            return [needs[0] ? try Tensor.where(c, g, zero).sumToShape(sa) : nil,
                    needs[1] ? try Tensor.where(c, zero, g).sumToShape(sb) : nil]
        })
    }
}
