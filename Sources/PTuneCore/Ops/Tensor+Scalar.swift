/// Arithmetic between a tensor and a number. The number takes the tensor's dtype, so `x * 2` never mixes dtypes.
extension Tensor {
    /// Maps every element `v` to `f(v, s)` with `s` converted to the tensor's dtype.
    @inline(__always)
    func withScalar(_ s: Double, op: TensorOp, floatOnly: Bool = false,
                    _ f32: (Float, Float) -> Float, _ f64: (Double, Double) -> Double,
                    _ i64: (Int64, Int64) -> Int64) throws -> Tensor {
        switch dtype {
        case .float32: let v = Float(s); return try map(Float.self) { f32($0, v) }
        case .float64: return try map(Double.self) { f64($0, s) }
        case .int64:
            guard !floatOnly, s == s.rounded() else { throw TensorError.unsupportedDType(op: op, .int64) }
            let v = Int64(fromDouble: s)
            return try map(Int64.self) { i64($0, v) }
        }
    }

    /// `x + s`
    public static func + (x: Tensor, s: Double) throws -> Tensor {
        let out = try x.withScalar(s, op: .add, +, +, &+)
        return record("add_scalar", out, x, { g in g })
    }
    /// `s + x`
    public static func + (s: Double, x: Tensor) throws -> Tensor { try x + s }

    /// `x − s`
    public static func - (x: Tensor, s: Double) throws -> Tensor {
        let out = try x.withScalar(s, op: .subtract, -, -, &-)
        return record("sub_scalar", out, x, { g in g })
    }
    /// `s − x`
    public static func - (s: Double, x: Tensor) throws -> Tensor {
        let out = try x.withScalar(s, op: .subtract, { s, v in v - s }, { s, v in v - s }, { s, v in v &- s })
        return record("rsub_scalar", out, x, { g in try -g })
    }

    /// `x · s`
    public static func * (x: Tensor, s: Double) throws -> Tensor {
        let out = try x.withScalar(s, op: .multiply, *, *, &*)
        return record("mul_scalar", out, x, { g in try g * s })
    }
    /// `s · x`
    public static func * (s: Double, x: Tensor) throws -> Tensor { try x * s }

    /// `x ÷ s`
    public static func / (x: Tensor, s: Double) throws -> Tensor {
        let out = try x.withScalar(s, op: .divide, floatOnly: true, /, /, { a, _ in a })
        return record("div_scalar", out, x, { g in try g / s })
    }
    /// `s ÷ x`
    public static func / (s: Double, x: Tensor) throws -> Tensor {
        let out = try x.withScalar(s, op: .divide, floatOnly: true, { v, s in s / v }, { v, s in s / v }, { a, _ in a })
        let xd = x.detached()
        return record("rdiv_scalar", out, x, { g in try g * (-s) / (xd * xd) })
    }

    /// `xᵖ` elementwise for a number `p`.
    public func pow(_ p: Double) throws -> Tensor {
        if p == 2 { return try square() }
        let out = try withScalar(p, op: .power, floatOnly: true, Float.pow, Double.pow, { a, _ in a })
        let xd = detached()
        return Tensor.record("pow_scalar", out, self, { g in try g * (try xd.pow(p - 1) * p) })
    }

    /// `x²` elementwise.
    public func square() throws -> Tensor {
        let out: Tensor
        switch dtype {
        case .float32: out = try map(Float.self) { $0 * $0 }
        case .float64: out = try map(Double.self) { $0 * $0 }
        case .int64: out = try map(Int64.self) { $0 &* $0 }
        }
        let xd = detached()
        return Tensor.record("square", out, self, { g in try g * (xd * 2) })
    }

    /// Clamps every element into `[low, high]`; the gradient passes where the element was inside.
    public func clamped(low: Double = -.infinity, high: Double = .infinity) throws -> Tensor {
        guard low <= high else { throw TensorError.invalidArgument(op: .clamp, "low \(low) is above high \(high)") }
        let out = try withScalar(low, op: .clamp, { v, l in Swift.min(Swift.max(v, l), Float(high)) },
                                 { v, l in Swift.min(Swift.max(v, l), high) },
                                 { v, l in Swift.min(Swift.max(v, l), Int64(fromDouble: high)) })
        let xd = detached()
        return Tensor.record("clamp", out, self, { g in
            let inside = try xd.compare(.greaterEqual, low) * xd.compare(.lessEqual, high)
            return try g * inside
        })
    }
}
