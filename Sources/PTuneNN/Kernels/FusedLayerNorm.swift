import PTuneCore

/// Layer normalisation over the last axis as one op whose loops split across the configured threads and keep only
/// the mean and `1/σ` of each row for the backward (x̂ is recomputed):
/// ```
/// x̂ = (x − μ) · r,  r = 1/√(σ² + ε),  y = x̂ ⊙ γ + β
/// dx = r · (g⊙γ − mean(g⊙γ) − x̂ · mean(g⊙γ⊙x̂)),   dγ = Σ_rows g⊙x̂,   dβ = Σ_rows g
/// ```
/// Same values as ``PTuneCore/Tensor/layerNorm(weight:bias:eps:)`` (biased variance, two passes).
enum FusedLayerNorm {
    static func apply(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Double) throws -> Tensor {
        guard x.dtype.isFloatingPoint, let d = x.shape.last, d > 0 else {
            return try x.layerNorm(weight: weight, bias: bias, eps: eps)  // the core's checks and messages
        }
        for p in [weight, bias].compactMap({ $0 }) where p.shape != [d] || p.dtype != x.dtype {
            return try x.layerNorm(weight: weight, bias: bias, eps: eps)
        }
        return x.dtype == .float32 ? try run(Float.self, x, weight, bias, eps, d) : try run(Double.self, x, weight, bias, eps, d)
    }

    private static func run<T: TensorFloat>(_: T.Type, _ x: Tensor, _ weight: Tensor?, _ bias: Tensor?, _ eps: Double,
                                            _ d: Int) throws -> Tensor {
        let rows = x.count / d
        let minimumRows = Swift.max(1, 8192 / d)
        var stats = [Double](repeating: 0, count: 2 * rows)  // mean, 1/σ per row
        let gamma = try weight.map { try $0.withScalars(T.self) { $0.map(\.doubleValue) } } ?? [Double](repeating: 1, count: d)
        let beta = try bias.map { try $0.withScalars(T.self) { $0.map(\.doubleValue) } } ?? [Double](repeating: 0, count: d)
        let y = try Tensor.filling(x.shape, as: T.self) { out in
            try x.withScalars(T.self) { xs in
                guard let px = xs.baseAddress, let po = out.baseAddress else { return }
                stats.withUnsafeMutableBufferPointer { st in
                    guard let ps = st.baseAddress else { return }
                    Parallel.forChunks(rows, minimumChunk: minimumRows) { range in
                        for r in range {
                            let xr = px + r * d, yr = po + r * d
                            var mu = 0.0
                            for j in 0..<d { mu += xr[j].doubleValue }
                            mu /= Double(d)
                            var v = 0.0
                            for j in 0..<d { let c = xr[j].doubleValue - mu; v += c * c }
                            let rstd = 1 / (v / Double(d) + eps).squareRoot()
                            ps[2 * r] = mu
                            ps[2 * r + 1] = rstd
                            for j in 0..<d {
                                let h = (xr[j].doubleValue - mu) * rstd
                                yr[j] = T(fromDouble: h * gamma[j] + beta[j])
                            }
                        }
                    }
                }
            }
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let wIndex = weight == nil ? -1 : 1, bIndex = bias == nil ? -1 : (weight == nil ? 1 : 2)
        let xd = x.detached(), saved = stats
        return Tensor.differentiable("layer_norm", output: y, inputs: inputs) { g, needs in
            var gx: Tensor? = nil, gw: Tensor? = nil, gb: Tensor? = nil
            try g.withScalars(T.self) { gs in
                try xd.withScalars(T.self) { xs in
                    guard let pg = gs.baseAddress, let px = xs.baseAddress else { return }
                    if needs[0] {
                        gx = try Tensor.filling(xd.shape, as: T.self) { out in
                            guard let po = out.baseAddress else { return }
                            Parallel.forChunks(rows, minimumChunk: minimumRows) { range in
                                for r in range {
                                    let gr = pg + r * d, xr = px + r * d, orow = po + r * d
                                    let mu = saved[2 * r], rstd = saved[2 * r + 1]
                                    var s1 = 0.0, s2 = 0.0
                                    for j in 0..<d {
                                        let dh = gr[j].doubleValue * gamma[j]
                                        s1 += dh
                                        s2 += dh * (xr[j].doubleValue - mu) * rstd
                                    }
                                    s1 /= Double(d); s2 /= Double(d)
                                    for j in 0..<d {
                                        let h = (xr[j].doubleValue - mu) * rstd
                                        orow[j] = T(fromDouble: rstd * (gr[j].doubleValue * gamma[j] - s1 - h * s2))
                                    }
                                }
                            }
                        }
                    }
                    if (wIndex > 0 && needs[wIndex]) || (bIndex > 0 && needs[bIndex]) {
                        var dw = [Double](repeating: 0, count: d), db = [Double](repeating: 0, count: d)
                        for r in 0..<rows {
                            let gr = pg + r * d, xr = px + r * d
                            let mu = saved[2 * r], rstd = saved[2 * r + 1]
                            for j in 0..<d {
                                let gv = gr[j].doubleValue
                                dw[j] += gv * (xr[j].doubleValue - mu) * rstd
                                db[j] += gv
                            }
                        }
                        if wIndex > 0 && needs[wIndex] { gw = try Tensor(shape: [d], values: dw, dtype: xd.dtype) }
                        if bIndex > 0 && needs[bIndex] { gb = try Tensor(shape: [d], values: db, dtype: xd.dtype) }
                    }
                }
            }
            var result: [Tensor?] = [gx]
            if wIndex > 0 { result.append(gw) }
            if bIndex > 0 { result.append(gb) }
            return InputGradients(result)
        }
    }
}
