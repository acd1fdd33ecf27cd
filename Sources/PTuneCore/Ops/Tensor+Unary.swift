import Foundation

/// A differentiable elementwise function: its value and its derivative (in terms of the input `x` and the output
/// `y`, whichever is cheaper), specialised for each float type.
protocol UnaryFunction {
    static var op: TensorOp { get }
    static func value<T: TensorFloat>(_ x: T) -> T
    static func derivative<T: TensorFloat>(x: T, y: T) -> T
    /// float32 forms (default: the generic ones); overridden with ``FastMath``'s branch-free versions where the C
    /// library's call would keep the loop from vectorising.
    static func value32(_ x: Float) -> Float
    static func derivative32(x: Float, y: Float) -> Float
}

extension UnaryFunction {
    @inline(__always) static func value32(_ x: Float) -> Float { value(x) }
    @inline(__always) static func derivative32(x: Float, y: Float) -> Float { derivative(x: x, y: y) }
}

enum ExpFn: UnaryFunction {
    static var op: TensorOp { .exp }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T { T.exp(x) }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T { y }
    @inline(__always) static func value32(_ x: Float) -> Float { FastMath.exp(x) }
}
enum LogFn: UnaryFunction {
    static var op: TensorOp { .log }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T { T.log(x) }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T { 1 / x }
}
enum SqrtFn: UnaryFunction {
    static var op: TensorOp { .sqrt }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T { T.squareRoot(x) }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T { 1 / (2 * y) }
}
enum AbsFn: UnaryFunction {
    static var op: TensorOp { .abs }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T { Swift.abs(x) }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
enum TanhFn: UnaryFunction {
    static var op: TensorOp { .tanh }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T { T.tanh(x) }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T { 1 - y * y }
}
enum SigmoidFn: UnaryFunction {
    static var op: TensorOp { .sigmoid }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T {
        // Stable on both sides: never exponentiates a large positive number.
        if x >= 0 { return 1 / (1 + T.exp(-x)) }
        let e = T.exp(x)
        return e / (1 + e)
    }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T { y * (1 - y) }
    @inline(__always) static func value32(_ x: Float) -> Float { FastMath.sigmoid(x) }
}
enum ReluFn: UnaryFunction {
    static var op: TensorOp { .relu }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T { x > 0 ? x : 0 }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T { x > 0 ? 1 : 0 }
}
/// SiLU (swish): `x · σ(x)`.
enum SiluFn: UnaryFunction {
    static var op: TensorOp { .silu }
    @inline(__always) static func value<T: TensorFloat>(_ x: T) -> T { x * SigmoidFn.value(x) }
    @inline(__always) static func derivative<T: TensorFloat>(x: T, y: T) -> T {
        let s = SigmoidFn.value(x)
        return s * (1 + x * (1 - s))
    }
    @inline(__always) static func value32(_ x: Float) -> Float { FastMath.silu(x) }
    @inline(__always) static func derivative32(x: Float, y: Float) -> Float { FastMath.siluDerivative(x) }
}

extension Tensor {
    /// Applies `F` elementwise; records `F`'s derivative as the backward.
    func apply<F: UnaryFunction>(_: F.Type) throws -> Tensor {
        func run<T: TensorFloat>(_: T.Type) throws -> Tensor {
            let out = try Tensor(uninitialized: shape, dtype: dtype)
            let src = storage.typed(T.self), dst = out.storage.typed(T.self)
            // Large tensors are split over the cores (GELU's erf costs ~10 ns an element).
            if T.self == Float.self {
                let s32 = storage.typed(Float.self), d32 = out.storage.typed(Float.self)
                Parallel.chunks(count, work: count) { r in for i in r { d32[i] = F.value32(s32[i]) } }
            } else {
                Parallel.chunks(count, work: count) { r in for i in r { dst[i] = F.value(src[i]) } }
            }
            return out
        }
        let out: Tensor
        switch dtype {
        case .float32: out = try run(Float.self)
        case .float64: out = try run(Double.self)
        case .int64: throw TensorError.unsupportedDType(op: F.op, .int64)
        }
        let x = detached(), y = out.detached()
        return Tensor.record(F.op.spelling, out, self, { g in
            func back<T: TensorFloat>(_: T.Type) throws -> Tensor {
                let r = try Tensor(uninitialized: g.shape, dtype: g.dtype)
                let pg = g.storage.typed(T.self), px = x.storage.typed(T.self), py = y.storage.typed(T.self)
                let pr = r.storage.typed(T.self)
                if T.self == Float.self {
                    let g32 = g.storage.typed(Float.self), x32 = x.storage.typed(Float.self)
                    let y32 = y.storage.typed(Float.self), r32 = r.storage.typed(Float.self)
                    Parallel.chunks(r.count, work: r.count) { c in
                        for i in c { r32[i] = g32[i] * F.derivative32(x: x32[i], y: y32[i]) }
                    }
                } else {
                    Parallel.chunks(r.count, work: r.count) { c in
                        for i in c { pr[i] = pg[i] * F.derivative(x: px[i], y: py[i]) }
                    }
                }
                return r
            }
            return g.dtype == .float32 ? try back(Float.self) : try back(Double.self)
        })
    }

    /// eˣ elementwise.
    public func exp() throws -> Tensor { try apply(ExpFn.self) }
    /// ln x elementwise.
    public func log() throws -> Tensor { try apply(LogFn.self) }
    /// √x elementwise.
    public func sqrt() throws -> Tensor { try apply(SqrtFn.self) }
    /// |x| elementwise (subgradient 0 at 0).
    public func abs() throws -> Tensor {
        if dtype == .int64 { return try map(Int64.self) { Swift.abs($0) } }
        return try apply(AbsFn.self)
    }
    /// tanh x elementwise.
    public func tanh() throws -> Tensor { try apply(TanhFn.self) }
    /// σ(x) = 1 / (1 + e⁻ˣ) elementwise (computed stably).
    public func sigmoid() throws -> Tensor { try apply(SigmoidFn.self) }
    /// max(x, 0) elementwise.
    public func relu() throws -> Tensor { try apply(ReluFn.self) }
    /// GELU, exact erf form: `y = x · Φ(x) = x · ½(1 + erf(x/√2))`; the forward keeps `D = Φ(x) + x · φ(x)` so
    /// that the backward is `dx = g ⊙ D` (see ``GELUKernel``).
    public func gelu() throws -> Tensor { try gelu(tanhForm: false) }

    /// GELU in the tanh approximation (PyTorch's `gelu(x, approximate="tanh")`, `gelu_pytorch_tanh`):
    /// `y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))`; backward `dx = g ⊙ y′` (see ``GELUKernel``).
    public func geluTanh() throws -> Tensor { try gelu(tanhForm: true) }

    private func gelu(tanhForm: Bool) throws -> Tensor {
        // The derivative is kept only when a backward may follow.
        let keeps = node != nil && TensorContext.isRecording
        func run<T: TensorFloat>(_: T.Type) throws -> (Tensor, Tensor?) {
            let y = try Tensor(uninitialized: shape, dtype: dtype), d = keeps ? try Tensor(uninitialized: shape, dtype: dtype) : nil
            if tanhForm {
                GELUKernel.tanhForward(storage.typed(T.self), y: y.storage.typed(T.self),
                                       derivative: d?.storage.typed(T.self), count: count)
            } else {
                GELUKernel.forward(storage.typed(T.self), y: y.storage.typed(T.self), derivative: d?.storage.typed(T.self),
                                   count: count)
            }
            return (y, d)
        }
        let (y, kept): (Tensor, Tensor?)
        switch dtype {
        case .float32: (y, kept) = try run(Float.self)
        case .float64: (y, kept) = try run(Double.self)
        case .int64: throw TensorError.unsupportedDType(op: .gelu, .int64)
        }
        guard let derivative = kept else { return y }
        return Tensor.record(tanhForm ? "gelu_tanh" : "gelu", y, self, { g in
            func back<T: TensorFloat>(_: T.Type) throws -> Tensor {
                let dx = try Tensor(uninitialized: g.shape, dtype: g.dtype)
                GELUKernel.backward(g.storage.typed(T.self), derivative: derivative.storage.typed(T.self),
                                    dx: dx.storage.typed(T.self), count: dx.count)
                return dx
            }
            return g.dtype == .float32 ? try back(Float.self) : try back(Double.self)
        })
    }
    /// SiLU: x · σ(x).
    public func silu() throws -> Tensor { try apply(SiluFn.self) }

    /// Maps each element through `f` into a new constant tensor of the same dtype (no gradient).
    func map<T: TensorScalar>(_: T.Type, _ f: (T) -> T) throws -> Tensor {
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        let src = storage.typed(T.self), dst = out.storage.typed(T.self)
        for i in 0..<count { dst[i] = f(src[i]) }
        return out
    }

    /// −x
    public static prefix func - (x: Tensor) throws -> Tensor {
        let out: Tensor
        switch x.dtype {
        case .float32: out = try x.map(Float.self) { -$0 }
        case .float64: out = try x.map(Double.self) { -$0 }
        case .int64: out = try x.map(Int64.self) { 0 &- $0 }
        }
        return record("neg", out, x, { g in try -g })
    }
}
