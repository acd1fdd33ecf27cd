import Foundation

/// Which elements of a head rotate together: the layout of a model's query and key projection rows.
public enum RotaryLayout: Sendable, Hashable {
    /// Pair `i` is `(2i, 2i + 1)`: GGUF's Llama layout (ggml's "normal" RoPE).
    case adjacentPairs
    /// Pair `i` is `(i, i + headDim/2)`: Hugging Face's rotate-half layout, and GGUF's for Qwen and Gemma (ggml's
    /// "NeoX" RoPE).
    case halves
}

/// How a model stretches its rotary frequencies for longer contexts (Hugging Face's `rope_scaling`).
public enum RotaryScaling: Sendable, Hashable {
    /// The frequencies as the base gives them.
    case none
    /// Every frequency divided by `factor` (positions interpolated).
    case linear(factor: Double)
    /// Llama 3.1's scheme: wavelengths above `originalContext / lowFrequencyFactor` divided by `factor`, below
    /// `originalContext / highFrequencyFactor` kept, and smoothly interpolated in between.
    case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Int)
    /// Each frequency divided by its own factor (GGUF's `rope_freqs.weight`, which is how llama.cpp stores Llama 3's
    /// scaling).
    case factors([Double])
}

/// Everything that fixes the rotation of one attention layer's queries and keys apart from the positions: the head
/// width, the frequency base, the scaling and the pair layout. Pair `i` of a head turns by `θ = p · ωᵢ` at
/// position `p`, with `ωᵢ = base^(−2i / headDim)` before scaling.
public struct RotaryEncoding: Sendable, Hashable {
    /// The width of one head (even).
    public let headDim: Int
    /// The frequency base (Llama: 10,000; SmolLM2: 100,000; Gemma 3's global layers: 1,000,000).
    public let base: Double
    /// The frequency scaling.
    public let scaling: RotaryScaling
    /// Which elements rotate together.
    public let layout: RotaryLayout

    /// An encoding; throws for an odd or non-positive head width, a non-positive base, or a scaling whose factors
    /// are not positive (or, for ``RotaryScaling/factors(_:)``, not one per pair).
    public init(headDim: Int, base: Double, scaling: RotaryScaling = .none, layout: RotaryLayout = .adjacentPairs) throws {
        guard headDim > 0, headDim % 2 == 0 else {
            throw TensorError.invalidArgument(op: .rotary, "head width must be even and positive, got \(headDim)")
        }
        guard base > 0, base.isFinite else { throw TensorError.invalidArgument(op: .rotary, "base must be positive, got \(base)") }
        switch scaling {
        case .none: break
        case let .linear(f):
            guard f > 0, f.isFinite else { throw TensorError.invalidArgument(op: .rotary, "scaling factor must be positive, got \(f)") }
        case let .llama3(f, low, high, context):
            guard f > 0, low > 0, high > low, context > 0, [f, low, high].allSatisfy(\.isFinite) else {
                throw TensorError.invalidArgument(op: .rotary, "llama3 scaling needs factor > 0, 0 < low < high frequency factors and a positive original context, got \(f), \(low), \(high), \(context)")
            }
        case let .factors(fs):
            guard fs.count == headDim / 2, fs.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw TensorError.invalidArgument(op: .rotary, "expected \(headDim / 2) positive frequency factors, got \(fs.count)")
            }
        }
        self.headDim = headDim
        self.base = base
        self.scaling = scaling
        self.layout = layout
    }

    /// ωᵢ for every pair, scaled.
    public var frequencies: [Double] {
        let half = headDim / 2
        let plain = (0..<half).map { Foundation.pow(base, -Double(2 * $0) / Double(headDim)) }
        switch scaling {
        case .none: return plain
        case let .linear(f): return plain.map { $0 / f }
        case let .factors(fs): return zip(plain, fs).map { $0 / $1 }
        case let .llama3(f, low, high, context):
            let lowWavelength = Double(context) / low, highWavelength = Double(context) / high
            return plain.map { w in
                let wavelength = 2 * Double.pi / w
                if wavelength < highWavelength { return w }
                if wavelength > lowWavelength { return w / f }
                let smooth = (Double(context) / wavelength - low) / (high - low)
                return (1 - smooth) * w / f + smooth * w
            }
        }
    }
}

/// The cosines and sines of rotary position embeddings for a list of positions under one ``RotaryEncoding``,
/// computed once and shared by every layer of a forward pass that uses the encoding.
public struct RotaryTable: Sendable {
    /// The position of each row the table applies to.
    public let positions: [Int]
    /// The rotation.
    public let encoding: RotaryEncoding
    let cos64: [Double], sin64: [Double]
    let cos32: [Float], sin32: [Float]

    /// The width of one head.
    public var headDim: Int { encoding.headDim }

    /// Tabulates `cos θ` and `sin θ` for every position and pair; throws for a negative position.
    public init(positions: [Int], encoding: RotaryEncoding) throws {
        if let bad = positions.first(where: { $0 < 0 }) {
            throw TensorError.invalidArgument(op: .rotary, "positions must be non-negative, got \(bad)")
        }
        self.positions = positions
        self.encoding = encoding
        let half = encoding.headDim / 2
        let inv = encoding.frequencies
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

    /// A table of the plain encoding (adjacent pairs, no scaling): `θ = p · base^(−2i / headDim)`.
    public init(positions: [Int], headDim: Int, base: Double) throws {
        try self.init(positions: positions, encoding: RotaryEncoding(headDim: headDim, base: base))
    }
}

/// Rotary position embeddings on the pairs of each head that the table's ``RotaryLayout`` names. A separate fused
/// kernel so the rotation costs one pass and no temporaries.
extension Tensor {
    /// Rotates each of the first `heads` heads (default: all) of every row: for a row at position `p` and pair
    /// `(a, b)` (`(2i, 2i+1)` or `(i, i + headDim/2)`), `(xₐ, x_b) ← (xₐ cos θ − x_b sin θ, xₐ sin θ + x_b cos θ)`;
    /// columns after those heads pass through unchanged (so a fused `[q | k | v]` row can rotate q and k and keep v).
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
        let halves = table.encoding.layout == .halves
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
                                    let j0 = halves ? i : 2 * i, j1 = halves ? i + half : 2 * i + 1
                                    let x0 = a[j0], x1 = a[j1], co = cr[i], si = sg * sr[i]
                                    o[j0] = x0 * co - x1 * si
                                    o[j1] = x0 * si + x1 * co
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
