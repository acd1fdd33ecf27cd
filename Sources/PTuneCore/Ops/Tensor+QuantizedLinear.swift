/// Products with a frozen weight kept in its quantized blocks (``QuantizedMatrix``).
extension Tensor {
    /// `y = x · Wᵀ + b` for float32 `x` `[…, in]` and a quantized `weight` `[out, in]` (bias `[out]` optional),
    /// giving `[…, out]`: matrix-vector kernels that read the blocks directly for a few rows, decoded tiles fed to
    /// sgemm for more (see ``ActivationPrecision``; float32 activations by default, whose result is the product with
    /// the dequantized matrix; the scope's ``TensorContext/quantizedActivations`` when not given). `level` chooses the instruction set of the kernels (the CPU's best by default).
    ///
    /// The weight never gets a gradient. Backward: `dx = g · W` by decoded tiles, `db = Σ_rows g`; nothing of `x`
    /// is kept.
    public static func linear(_ x: Tensor, quantized weight: QuantizedMatrix, bias: Tensor? = nil,
                              activations: ActivationPrecision? = nil,
                              level: KernelLevel = .detected) throws -> Tensor {
        guard x.dtype == .float32 else { throw TensorError.dtypeMismatch(op: .linear, .float32, x.dtype) }
        let outF = weight.rows, inF = weight.columns
        guard x.rank >= 1, x.shape[x.rank - 1] == inF else {
            throw TensorError.shapeMismatch(op: .linear, "input \(Shape.describe(x.shape)) does not match weight \(weight) (expected [out, in] with in = the input's last axis)")
        }
        if let bias {
            guard bias.dtype == .float32 else { throw TensorError.dtypeMismatch(op: .linear, .float32, bias.dtype) }
            guard bias.shape == [outF] else {
                throw TensorError.shapeMismatch(op: .linear, "bias \(Shape.describe(bias.shape)) does not match [\(outF)]")
            }
        }
        let rows = x.count / Swift.max(inF, 1)
        var outShape = x.shape
        outShape[outShape.count - 1] = outF
        var out = try Tensor(uninitialized: outShape, dtype: .float32)
        let c = out.storage.typed(Float.self), px = x.storage.typed(Float.self)
        if rows <= ActivationPrecision.vectorRowLimit {
            QuantizedProducts.vectorProduct(weight, x: px, m: rows, y: c, ldy: outF,
                                            activations: activations ?? TensorContext.quantizedActivations, level: level)
            if let bias {
                let b = bias.storage.typed(Float.self)
                for r in 0..<rows { for j in 0..<outF { c[r * outF + j] += b[j] } }
            }
        } else {
            if let bias {
                let b = bias.storage.typed(Float.self)
                for r in 0..<rows { (c + r * outF).update(from: b, count: outF) }
            }
            QuantizedProducts.tiledProduct(weight, x: px, m: rows, beta: bias == nil ? 0 : 1, y: c, ldy: outF, level: level)
        }
        out.node = nil
        let xShape = x.shape
        func inputGradient(_ g: Tensor) throws -> Tensor {
            let g2 = try g.reshaped([rows, outF])
            var t = try Tensor(uninitialized: [rows, inF], dtype: .float32)
            QuantizedProducts.tiledInputGradient(weight, g: g2.storage.typed(Float.self), m: rows,
                                                 gx: t.storage.typed(Float.self), level: level)
            t.node = nil
            return try t.reshaped(xShape)
        }
        guard let bias else { return record("linear_quantized", out, x, { g in try inputGradient(g) }) }
        return record("linear_quantized", out, x, bias, { g, needs in
            var gb: Tensor? = nil
            if needs[1] {
                var b = try Tensor(uninitialized: [outF], dtype: .float32)
                let pb = b.storage.typed(Float.self), pg = g.storage.typed(Float.self)
                pb.update(repeating: 0, count: outF)
                for r in 0..<rows { let row = pg + r * outF; for j in 0..<outF { pb[j] += row[j] } }
                b.node = nil
                gb = b
            }
            return [needs[0] ? try inputGradient(g) : nil, gb]
        })
    }
}
