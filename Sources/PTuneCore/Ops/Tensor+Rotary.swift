import Foundation

/// The cosines and sines of rotary position embeddings for a list of positions, computed once and shared by every
/// layer of a forward pass.
///
/// Pair `i` of a head (`i < headDim / 2`) turns by the angle `θ = p · base^(−2i / headDim)` at position `p`.
public struct RotaryTable: Sendable {
    /// The position of each row the table applies to.
    public let positions: [Int]
    /// The width of one head (even).
    public let headDim: Int
    /// The frequency base (Llama: 10,000; SmolLM2: 100,000).
    public let base: Double
    let cos64: [Double], sin64: [Double]
    let cos32: [Float], sin32: [Float]

    /// Tabulates `cos θ` and `sin θ` for every position and pair; throws for an odd or non-positive head width, a
    /// non-positive base or a negative position.
    public init(positions: [Int], headDim: Int, base: Double) throws {
        guard headDim > 0, headDim % 2 == 0 else {
            throw TensorError.invalidArgument(op: .rotary, "head width must be even and positive, got \(headDim)")
        }
        guard base > 0, base.isFinite else { throw TensorError.invalidArgument(op: .rotary, "base must be positive, got \(base)") }
        if let bad = positions.first(where: { $0 < 0 }) {
            throw TensorError.invalidArgument(op: .rotary, "positions must be non-negative, got \(bad)")
        }
        self.positions = positions
        self.headDim = headDim
        self.base = base
        let half = headDim / 2
        let inv = (0..<half).map { Foundation.pow(base, -Double(2 * $0) / Double(headDim)) }
        var c = [Double](repeating: 0, count: positions.count * half), s = c
        for (r, p) in positions.enumerated() {
            for i in 0..<half {
                let a = Double(p) * inv[i]
                c[r * half + i] = Foundation.cos(a)
                s[r * half + i] = Foundation.sin(a)
            }
        }
        cos64 = c; sin64 = s
        cos32 = c.map { Float($0) }; sin32 = s.map { Float($0) }
    }
}

/// Rotary position embeddings on adjacent pairs `(2i, 2i+1)` of each head — the layout of GGUF's Llama q/k
/// weights (ggml's "normal" RoPE). A separate fused kernel so the rotation costs one pass and no temporaries.
extension Tensor {
    /// Rotates each of the first `heads` heads (default: all) of every row: for a row at position `p` and pair `i`,
    /// `(x₂ᵢ, x₂ᵢ₊₁) ← (x₂ᵢ cos θ − x₂ᵢ₊₁ sin θ, x₂ᵢ sin θ + x₂ᵢ₊₁ cos θ)`; columns after those heads pass through
    /// unchanged (so a fused `[q | k | v]` row can rotate q and k and keep v).
    ///
    /// The tensor has shape `[…, C]` with one row per table position; `C` must hold the rotated heads. Backward: the
    /// same rotation by `−θ`; nothing is saved but the table.
    public func rotaryEmbedding(_ table: RotaryTable, heads: Int? = nil) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .rotary, dtype) }
        guard rank >= 1, let c = shape.last, c > 0 else {
            throw TensorError.shapeMismatch(op: .rotary, "needs a non-empty last axis, got \(Shape.describe(shape))")
        }
        let rows = count / c, hd = table.headDim
        guard rows == table.positions.count else {
            throw TensorError.shapeMismatch(op: .rotary, "\(rows) rows but the table has \(table.positions.count) positions")
        }
        let nh = heads ?? c / hd
        guard nh >= 0, nh * hd <= c, heads != nil || c % hd == 0 else {
            throw TensorError.shapeMismatch(op: .rotary, "rows of \(c) columns do not hold \(nh) heads of width \(hd)")
        }
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        try Tensor.rotate(from: self, into: out, table: table, heads: nh, sign: 1)
        return Tensor.record("rotary", out, self, { g in
            let r = try Tensor(uninitialized: g.shape, dtype: g.dtype)
            try Tensor.rotate(from: g, into: r, table: table, heads: nh, sign: -1)
            return r
        })
    }

    /// `dst = R(sign·θ) src` on the first `heads` heads of each row, the rest copied.
    private static func rotate(from src: Tensor, into dst: Tensor, table: RotaryTable, heads nh: Int, sign: Double) throws {
        let c = src.shape[src.rank - 1], rows = src.count / c, half = table.headDim / 2, hd = table.headDim
        func run<T: TensorFloat>(_: T.Type, _ cosT: [T], _ sinT: [T]) {
            let ps = src.storage.typed(T.self), pd = dst.storage.typed(T.self), sg = T(sign)
            cosT.withUnsafeBufferPointer { cb in
                sinT.withUnsafeBufferPointer { sb in
                    guard let cbase = cb.baseAddress, let sbase = sb.baseAddress else { return }
                    Parallel.chunks(rows, work: rows * c) { range in
                        for r in range {
                            let xs = ps + r * c, xd = pd + r * c
                            let cr = cbase + r * half, sr = sbase + r * half
                            for h in 0..<nh {
                                let a = xs + h * hd, o = xd + h * hd
                                for i in 0..<half {
                                    let x0 = a[2 * i], x1 = a[2 * i + 1], co = cr[i], si = sg * sr[i]
                                    o[2 * i] = x0 * co - x1 * si
                                    o[2 * i + 1] = x0 * si + x1 * co
                                }
                            }
                            let rest = nh * hd
                            if rest < c { (xd + rest).update(from: xs + rest, count: c - rest) }
                        }
                    }
                }
            }
        }
        switch src.dtype {
        case .float32: run(Float.self, table.cos32, table.sin32)
        case .float64: run(Double.self, table.cos64, table.sin64)
        case .int64: throw TensorError.unsupportedDType(op: .rotary, .int64)
        }
    }
}
