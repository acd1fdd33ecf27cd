import Foundation
import PTuneCore

extension Loss {
    /// Cross-entropy over class indices, PyTorch's `cross_entropy(logits, targets, ignore_index, label_smoothing)`,
    /// fused (one pass forward, one backward; nothing of the logits' size is kept but the logits themselves).
    ///
    /// `logits` `[…, C]`, `targets` `[…]` of class indices (int64, or whole-number floats). Per row, with
    /// `lse = log Σ_c e^(x_c)`: `ℓ = (1 − ε)(lse − x_target) + ε (lse − mean_c x_c)`. Rows whose target equals
    /// `ignoreIndex` count for nothing; `.mean` divides by the rows that count (NaN when none do, as PyTorch).
    /// Gradient per counted row: `softmax(x) − (1 − ε)·onehot(target) − ε/C`.
    public static func crossEntropy(_ logits: Tensor, _ targets: Tensor, ignoreIndex: Int = -100,
                                    labelSmoothing: Double = 0, reduction: Reduction = .mean) throws -> Tensor {
        guard logits.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .crossEntropy, logits.dtype) }
        guard logits.rank >= 1, let c = logits.shape.last, c > 0, Array(logits.shape.dropLast()) == targets.shape else {
            throw TensorError.shapeMismatch(op: .crossEntropy, "targets \(Shape.describe(targets.shape)) must be the logits' shape \(Shape.describe(logits.shape)) without its last (class) axis")
        }
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw TensorError.invalidArgument(op: .crossEntropy, "label smoothing must be in [0, 1], got \(labelSmoothing)")
        }
        let rows = targets.count
        let raw = targets.doubles
        var target = [Int](repeating: -1, count: rows)  // -1: ignored
        var counted = 0
        for r in 0..<rows {
            let v = raw[r]
            guard v == v.rounded(), Swift.abs(v) < 9e15 else {
                throw TensorError.invalidArgument(op: .crossEntropy, "target \(v) is not a class index")
            }
            let k = Int(v)
            if k == ignoreIndex { continue }
            guard k >= 0 && k < c else { throw TensorError.indexOutOfRange(op: .crossEntropy, index: k, size: c) }
            target[r] = k
            counted += 1
        }
        let eps = labelSmoothing
        var lse = [Double](repeating: 0, count: rows)
        var perRow = [Double](repeating: 0, count: rows)
        let minimumRows = Swift.max(1, 16_384 / c)
        func forward<T: TensorFloat>(_: T.Type) throws {
            try logits.withScalars(T.self) { x in
                guard let base = x.baseAddress else { return }
                lse.withUnsafeMutableBufferPointer { lseBuffer in
                    perRow.withUnsafeMutableBufferPointer { rowBuffer in
                        guard let pl = lseBuffer.baseAddress, let pr = rowBuffer.baseAddress else { return }
                        Parallel.forChunks(rows, minimumChunk: minimumRows) { range in
                            for r in range where target[r] >= 0 {
                                let row = base + r * c
                                var m = -T.infinity
                                for j in 0..<c { m = Swift.max(m, row[j]) }
                                if !m.isFinite { m = 0 }
                                let md = m.doubleValue
                                var z4 = SIMD4<Double>(), t4 = SIMD4<Double>()
                                var j = 0
                                while j + 4 <= c {
                                    let v = FastMath.lanes(row + j)
                                    z4 += FastMath.exp(v - md)
                                    t4 += v
                                    j += 4
                                }
                                var z = z4.sum(), total = t4.sum()
                                while j < c { z += FastMath.exp(row[j].doubleValue - md); total += row[j].doubleValue; j += 1 }
                                let l = Foundation.log(z) + md
                                pl[r] = l
                                let nll = l - row[target[r]].doubleValue
                                pr[r] = eps == 0 ? nll : (1 - eps) * nll + eps * (l - total / Double(c))
                            }
                        }
                    }
                }
            }
        }
        if logits.dtype == .float32 { try forward(Float.self) } else { try forward(Double.self) }
        let value: Tensor
        switch reduction {
        case .mean: value = try Tensor(scalar: perRow.reduce(0, +) / Double(counted), dtype: logits.dtype)
        case .sum: value = try Tensor(scalar: perRow.reduce(0, +), dtype: logits.dtype)
        case .none: value = try Tensor(shape: targets.shape, values: perRow, dtype: logits.dtype)
        }
        let x = logits.detached()
        return Tensor.differentiable("cross_entropy", output: value, inputs: [logits]) { g, needs in
            guard needs[0] else { return [nil] }
            let gv = g.doubles
            func backward<T: TensorFloat>(_: T.Type) throws -> Tensor {
                try Tensor.filling(x.shape, as: T.self) { out in
                    try x.withScalars(T.self) { xs in
                        guard let ob = out.baseAddress, let xb = xs.baseAddress else { return }
                        Parallel.forChunks(rows, minimumChunk: minimumRows) { range in
                            for r in range {
                                let o = ob + r * c
                                guard target[r] >= 0 else { o.update(repeating: 0, count: c); continue }
                                let k: Double
                                switch reduction {
                                case .mean: k = gv[0] / Double(counted)
                                case .sum: k = gv[0]
                                case .none: k = gv[r]
                                }
                                let row = xb + r * c
                                let l = lse[r], smooth = eps / Double(c)
                                var j = 0
                                while j + 4 <= c {
                                    FastMath.store((FastMath.exp(FastMath.lanes(row + j) - l) - smooth) * k, o + j)
                                    j += 4
                                }
                                while j < c { o[j] = T(fromDouble: (FastMath.exp(row[j].doubleValue - l) - smooth) * k); j += 1 }
                                o[target[r]] -= T(fromDouble: (1 - eps) * k)
                            }
                        }
                    }
                }
            }
            return [x.dtype == .float32 ? try backward(Float.self) : try backward(Double.self)]
        }
    }
}
