/// Layer normalisation over the last axis of `rows × d` elements, accumulating in float64 for both dtypes and
/// keeping only each row's mean and `1/σ` for the backward (x̂ is recomputed):
/// ```
/// x̂ = (x − μ) · r,  r = 1/√(σ² + ε),  y = x̂ ⊙ γ + β           (σ² the biased variance, two passes)
/// dx = r · (g⊙γ − mean(g⊙γ) − x̂ · mean(g⊙γ⊙x̂)),   dγ = Σ_rows g⊙x̂,   dβ = Σ_rows g
/// ```
/// Rows split across the threads.
struct LayerNormKernel<T: TensorFloat> {
    let rows: Int, d: Int, eps: Double
    /// γ and β as float64 (ones and zeros when absent).
    let gamma: [Double], beta: [Double]

    /// Rows per thread at least: small layers stay on the calling thread.
    var minimumRows: Int { Swift.max(1, 8192 / d) }

    /// Writes `y` and returns the statistics `[μ₀, r₀, μ₁, r₁, …]`.
    func forward(_ x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) -> [Double] {
        var stats = [Double](repeating: 0, count: 2 * rows)
        stats.withUnsafeMutableBufferPointer { st in
            guard let ps = st.baseAddress else { return }
            Parallel.forChunks(rows, minimumChunk: minimumRows) { range in
                for r in range {
                    let xr = x + r * d, yr = y + r * d
                    var mu = 0.0
                    for j in 0..<d { mu += xr[j].doubleValue }
                    mu /= Double(d)
                    var v = 0.0
                    for j in 0..<d { let c = xr[j].doubleValue - mu; v += c * c }
                    let rstd = 1 / (v / Double(d) + eps).squareRoot()
                    ps[2 * r] = mu
                    ps[2 * r + 1] = rstd
                    for j in 0..<d { yr[j] = T(fromDouble: (xr[j].doubleValue - mu) * rstd * gamma[j] + beta[j]) }
                }
            }
        }
        return stats
    }

    /// The input gradient `dx` from the output gradient `g`.
    func inputGradient(_ g: UnsafePointer<T>, x: UnsafePointer<T>, stats: [Double], dx: UnsafeMutablePointer<T>) {
        Parallel.forChunks(rows, minimumChunk: minimumRows) { range in
            for r in range {
                let gr = g + r * d, xr = x + r * d, out = dx + r * d
                let mu = stats[2 * r], rstd = stats[2 * r + 1]
                var s1 = 0.0, s2 = 0.0
                for j in 0..<d {
                    let dh = gr[j].doubleValue * gamma[j]
                    s1 += dh
                    s2 += dh * (xr[j].doubleValue - mu) * rstd
                }
                s1 /= Double(d); s2 /= Double(d)
                for j in 0..<d {
                    let h = (xr[j].doubleValue - mu) * rstd
                    out[j] = T(fromDouble: rstd * (gr[j].doubleValue * gamma[j] - s1 - h * s2))
                }
            }
        }
    }

    /// `(dγ, dβ)`: the output gradient summed over the rows, weighted by x̂ for γ.
    func parameterGradients(_ g: UnsafePointer<T>, x: UnsafePointer<T>, stats: [Double]) -> (weight: [Double], bias: [Double]) {
        var dw = [Double](repeating: 0, count: d), db = [Double](repeating: 0, count: d)
        for r in 0..<rows {
            let gr = g + r * d, xr = x + r * d
            let mu = stats[2 * r], rstd = stats[2 * r + 1]
            for j in 0..<d {
                let gv = gr[j].doubleValue
                dw[j] += gv * (xr[j].doubleValue - mu) * rstd
                db[j] += gv
            }
        }
        return (dw, db)
    }
}
