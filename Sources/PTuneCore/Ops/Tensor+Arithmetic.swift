/// Elementwise binary arithmetic with numpy broadcasting. Each op's backward sits beside its forward; a broadcast
/// input's gradient is summed back to its own shape.
extension Tensor {
    /// Applies `f` elementwise over the broadcast of `a` and `b` (same dtype) into a new tensor of dtype `U`.
    @inline(__always)
    static func zipMap<T: TensorScalar, U: TensorScalar>(_ a: Tensor, _ b: Tensor, _ plan: BroadcastPlan,
                                                         _: T.Type, _: U.Type, _ f: (T, T) -> U) throws -> Tensor {
        let out = try Tensor(uninitialized: plan.kind == .same ? a.shape : plan.shape, dtype: U.dtype)
        let pa = a.storage.typed(T.self), pb = b.storage.typed(T.self), po = out.storage.typed(U.self)
        switch plan.kind {
        case .same: for i in 0..<plan.count { po[i] = f(pa[i], pb[i]) }
        case .scalarB: let y = pb[0]; for i in 0..<plan.count { po[i] = f(pa[i], y) }
        case .scalarA: let x = pa[0]; for i in 0..<plan.count { po[i] = f(x, pb[i]) }
        case .general: plan.forEach { o, i, j in po[o] = f(pa[i], pb[j]) }
        }
        return out
    }

    /// Checks dtypes and computes the broadcast plan of a binary op.
    @inline(__always)
    static func binaryPlan(_ a: Tensor, _ b: Tensor, op: TensorOp) throws -> BroadcastPlan {
        guard a.dtype == b.dtype else { throw TensorError.dtypeMismatch(op: op, a.dtype, b.dtype) }
        return try BroadcastPlan(a.shape, b.shape, op: op)
    }

    /// `a + b`
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        let plan = try binaryPlan(a, b, op: .add)
        let out: Tensor
        switch a.dtype {
        case .float32: out = try zipMap(a, b, plan, Float.self, Float.self, +)
        case .float64: out = try zipMap(a, b, plan, Double.self, Double.self, +)
        case .int64: out = try zipMap(a, b, plan, Int64.self, Int64.self, &+)
        }
        let sa = a.shape, sb = b.shape
        return record("add", out, a, b, { g, needs in
            [needs[0] ? try g.sumToShape(sa) : nil, needs[1] ? try g.sumToShape(sb) : nil]
        })
    }

    /// `a − b`
    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        let plan = try binaryPlan(a, b, op: .subtract)
        let out: Tensor
        switch a.dtype {
        case .float32: out = try zipMap(a, b, plan, Float.self, Float.self, -)
        case .float64: out = try zipMap(a, b, plan, Double.self, Double.self, -)
        case .int64: out = try zipMap(a, b, plan, Int64.self, Int64.self, &-)
        }
        let sa = a.shape, sb = b.shape
        return record("sub", out, a, b, { g, needs in
            [needs[0] ? try g.sumToShape(sa) : nil, needs[1] ? try (-g).sumToShape(sb) : nil]
        })
    }

    /// `a ⊙ b` (elementwise product)
    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let plan = try binaryPlan(a, b, op: .multiply)
        let out: Tensor
        switch a.dtype {
        case .float32: out = try zipMap(a, b, plan, Float.self, Float.self, *)
        case .float64: out = try zipMap(a, b, plan, Double.self, Double.self, *)
        case .int64: out = try zipMap(a, b, plan, Int64.self, Int64.self, &*)
        }
        let ad = a.detached(), bd = b.detached()
        return record("mul", out, a, b, { g, needs in
            [needs[0] ? try (g * bd).sumToShape(ad.shape) : nil, needs[1] ? try (g * ad).sumToShape(bd.shape) : nil]
        })
    }

    /// `a ÷ b` (floating-point only)
    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        let plan = try binaryPlan(a, b, op: .divide)
        let out: Tensor
        switch a.dtype {
        case .float32: out = try zipMap(a, b, plan, Float.self, Float.self, /)
        case .float64: out = try zipMap(a, b, plan, Double.self, Double.self, /)
        case .int64: throw TensorError.unsupportedDType(op: .divide, .int64)
        }
        let ad = a.detached(), bd = b.detached()
        return record("div", out, a, b, { g, needs in
            // d(a/b)/da = 1/b ; d(a/b)/db = −a/b²
            [needs[0] ? try (g / bd).sumToShape(ad.shape) : nil,
             needs[1] ? try (-(g * ad) / (bd * bd)).sumToShape(bd.shape) : nil]
        })
    }

    /// `aᵇ` elementwise (floating-point only).
    public static func pow(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let plan = try binaryPlan(a, b, op: .power)
        let out: Tensor
        switch a.dtype {
        case .float32: out = try zipMap(a, b, plan, Float.self, Float.self, Float.pow)
        case .float64: out = try zipMap(a, b, plan, Double.self, Double.self, Double.pow)
        case .int64: throw TensorError.unsupportedDType(op: .power, .int64)
        }
        let ad = a.detached(), bd = b.detached(), od = out.detached()
        return record("pow", out, a, b, { g, needs in
            // d/da = b·a^(b−1) ; d/db = aᵇ·ln a
            [needs[0] ? try (g * bd * Tensor.pow(ad, bd - 1)).sumToShape(ad.shape) : nil,
             needs[1] ? try (g * od * ad.log()).sumToShape(bd.shape) : nil]
        })
    }

    /// The elementwise larger of `a` and `b`; the gradient goes to `a` where `a ≥ b`, else to `b`.
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try extremum(a, b, op: .maximum, takesA: .greaterEqual)
    }

    /// The elementwise smaller of `a` and `b`; the gradient goes to `a` where `a ≤ b`, else to `b`.
    public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try extremum(a, b, op: .minimum, takesA: .lessEqual)
    }

    private static func extremum(_ a: Tensor, _ b: Tensor, op: TensorOp, takesA: Comparison) throws -> Tensor {
        let plan = try binaryPlan(a, b, op: op)
        func run<T: TensorScalar>(_: T.Type) throws -> Tensor {
            try zipMap(a, b, plan, T.self, T.self) { takesA.holds($0, $1) ? $0 : $1 }
        }
        let out: Tensor
        switch a.dtype {
        case .float32: out = try run(Float.self)
        case .float64: out = try run(Double.self)
        case .int64: out = try run(Int64.self)
        }
        let ad = a.detached(), bd = b.detached()
        return record(op.spelling, out, a, b, { g, needs in
            let mask = try Tensor.compare(ad, bd, takesA)
            return [needs[0] ? try (g * mask).sumToShape(ad.shape) : nil,
                    needs[1] ? try (g * (1 - mask)).sumToShape(bd.shape) : nil]
        })
    }
}
