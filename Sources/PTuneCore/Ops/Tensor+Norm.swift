/// Normalisations over the last axis: one forward kernel and one backward kernel each.
extension Tensor {
    /// Layer normalisation over the last axis: `y = (x − μ) / √(σ² + ε) · γ + β`, with the biased variance σ² as
    /// PyTorch. `weight` (γ) and `bias` (β) have shape `[d]` and may be nil. One kernel forward and one backward
    /// (``LayerNormKernel``), accumulating in float64; the backward computes only the gradients asked for.
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
        try checkNormParams(weight, bias, op: .layerNorm)
        let d = shape.last ?? 1, rows = count / Swift.max(d, 1)
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        let gamma = weight?.doubles ?? [Double](repeating: 1, count: d)
        let beta = bias?.doubles ?? [Double](repeating: 0, count: d)
        let stats: [Double]
        if dtype == .float32 {
            stats = LayerNormKernel<Float>(rows: rows, d: d, eps: eps, gamma: gamma, beta: beta)
                .forward(storage.typed(Float.self), y: out.storage.typed(Float.self))
        } else {
            stats = LayerNormKernel<Double>(rows: rows, d: d, eps: eps, gamma: gamma, beta: beta)
                .forward(storage.typed(Double.self), y: out.storage.typed(Double.self))
        }
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let wIndex = weight == nil ? -1 : 1, bIndex = bias == nil ? -1 : (weight == nil ? 1 : 2)
        let x = detached()
        return Tensor.record("layer_norm", out, inputs: inputs, { g, needs in
            var gx: Tensor? = nil, gw: Tensor? = nil, gb: Tensor? = nil
            func backward<T: TensorFloat>(_: T.Type) throws {
                let kernel = LayerNormKernel<T>(rows: rows, d: d, eps: eps, gamma: gamma, beta: beta)
                let pg = g.storage.typed(T.self), px = x.storage.typed(T.self)
                if needs[0] {
                    let dx = try Tensor(uninitialized: x.shape, dtype: x.dtype)
                    kernel.inputGradient(pg, x: px, stats: stats, dx: dx.storage.typed(T.self))
                    gx = dx
                }
                let wantsWeight = wIndex > 0 && needs[wIndex], wantsBias = bIndex > 0 && needs[bIndex]
                if wantsWeight || wantsBias {
                    let (dw, db) = kernel.parameterGradients(pg, x: px, stats: stats)
                    if wantsWeight { gw = try Tensor(shape: [d], values: dw, dtype: x.dtype) }
                    if wantsBias { gb = try Tensor(shape: [d], values: db, dtype: x.dtype) }
                }
            }
            if g.dtype == .float32 { try backward(Float.self) } else { try backward(Double.self) }
            var result: [Tensor?] = [gx]
            if wIndex > 0 { result.append(gw) }
            if bIndex > 0 { result.append(gb) }
            return InputGradients(result)
        })
    }

    /// RMS normalisation over the last axis: `y = x / √(mean(x²) + ε) · γ` (Llama's RMSNorm). `weight` (γ) has shape
    /// `[d]` and may be nil.
    public func rmsNorm(weight: Tensor?, eps: Double = 1e-6) throws -> Tensor {
        try checkNormParams(weight, nil, op: .rmsNorm)
        let d = shape.last ?? 1, rows = count / Swift.max(d, 1)
        var rinvStore = try Tensor(uninitialized: [rows], dtype: dtype)
        var out = try Tensor(uninitialized: shape, dtype: dtype)
        func forward<T: TensorFloat>(_: T.Type) {
            let x = storage.typed(T.self), y = out.storage.typed(T.self), ri = rinvStore.storage.typed(T.self)
            let gamma = weight?.storage.typed(T.self)
            let e = T(eps), inv = 1 / T(d)
            for r in 0..<rows {
                let xr = x + r * d, yr = y + r * d
                var ms: T = 0
                for j in 0..<d { ms += xr[j] * xr[j] }
                let rinv = 1 / T.squareRoot(ms * inv + e)
                ri[r] = rinv
                if let gamma { for j in 0..<d { yr[j] = xr[j] * rinv * gamma[j] } } else { for j in 0..<d { yr[j] = xr[j] * rinv } }
            }
        }
        if dtype == .float32 { forward(Float.self) } else { forward(Double.self) }
        out.node = nil; rinvStore.node = nil
        let xd = detached(), rinv = rinvStore, gammaD = weight?.detached()
        var inputs = [self]
        if let weight { inputs.append(weight) }
        return Tensor.record("rms_norm", out, inputs: inputs, { g, needs in
            var gx: Tensor? = nil, gw: Tensor? = nil
            func backward<T: TensorFloat>(_: T.Type) throws {
                let pg = g.storage.typed(T.self), px = xd.storage.typed(T.self), pr = rinv.storage.typed(T.self)
                let gamma = gammaD?.storage.typed(T.self)
                if needs[0] {
                    let r0 = try Tensor(uninitialized: xd.shape, dtype: xd.dtype)
                    let po = r0.storage.typed(T.self)
                    let inv = 1 / T(d)
                    for r in 0..<rows {
                        let gr = pg + r * d, xr = px + r * d, orow = po + r * d, ri = pr[r]
                        var dot: T = 0
                        for j in 0..<d { dot += gr[j] * (gamma?[j] ?? 1) * xr[j] }
                        let k = ri * ri * ri * dot * inv
                        for j in 0..<d { orow[j] = gr[j] * (gamma?[j] ?? 1) * ri - xr[j] * k }
                    }
                    gx = r0
                }
                if gammaD != nil && needs[1] {
                    let w = try Tensor.zeros([d], dtype: xd.dtype)
                    let pw = w.storage.typed(T.self)
                    for r in 0..<rows { let ri = pr[r]; for j in 0..<d { pw[j] += pg[r * d + j] * px[r * d + j] * ri } }
                    gw = w
                }
            }
            if g.dtype == .float32 { try backward(Float.self) } else { try backward(Double.self) }
            return gammaD == nil ? [gx] : [gx, gw]
        })
    }

    private func checkNormParams(_ weight: Tensor?, _ bias: Tensor?, op: TensorOp) throws {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: op, dtype) }
        guard rank >= 1, let d = shape.last, d > 0 else {
            throw TensorError.shapeMismatch(op: op, "needs a non-empty last axis, got \(Shape.describe(shape))")
        }
        for p in [weight, bias].compactMap({ $0 }) {
            guard p.dtype == dtype else { throw TensorError.dtypeMismatch(op: op, dtype, p.dtype) }
            guard p.shape == [d] else {
                throw TensorError.shapeMismatch(op: op, "parameter of shape \(Shape.describe(p.shape)) does not match the last axis \(d)")
            }
        }
    }
}
