import Testing
import PTuneCore
@testable import PTuneNN

/// Finite-difference checks of layers: the layer's parameters are swapped for the checker's probes.
struct GradientChecker {
    var g = Generator(seed: 21)

    mutating func randn(_ shape: [Int], scale: Double = 1) throws -> Tensor {
        try Tensor.randn(shape, dtype: .float64, using: &g) * scale
    }

    /// A random linear functional of `t`, so every output element's gradient matters.
    static func scalarize(_ t: Tensor, seed: UInt64 = 99) throws -> Tensor {
        var gen = Generator(seed: seed)
        return try (t * Tensor.randn(t.shape, dtype: t.dtype, using: &gen)).sum()
    }

    /// Checks d(scalarize(f(inputs)))/d(inputs and parameters) against central differences.
    static func expect(inputs: [Tensor], parameters: [Parameter] = [], tolerance: Double = 1e-6,
                       _ f: @escaping ([Tensor]) throws -> Tensor, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let all = inputs + parameters.map { $0.value.detached() }
        let k = inputs.count
        let result = try GradCheck.check(all, tolerance: tolerance) { probes in
            for (p, v) in zip(parameters, probes.dropFirst(k)) { p.value = v }
            return try scalarize(f(Array(probes.prefix(k))))
        }
        #expect(result.passed, "\(result)", sourceLocation: sourceLocation)
    }
}

/// Multi-head attention built from core ops (split, permute, masked softmax), the reference for the fused kernel.
func referenceAttention(_ qkv: Tensor, heads: Int, causal: Bool, padding: [Bool]?) throws -> Tensor {
    let b = qkv.shape[0], t = qkv.shape[1], d = qkv.shape[2] / 3, hd = d / heads
    func head(_ i: Int) throws -> Tensor {
        try qkv.narrowed(axis: 2, start: i * d, length: d).reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3])
    }
    var bias = [Double](repeating: 0, count: b * t * t)
    for bi in 0..<b { for i in 0..<t { for j in 0..<t where (causal && j > i) || (padding?[bi * t + j] ?? false) { bias[(bi * t + i) * t + j] = -1e30 } } }
    let scores = try Tensor.matmul(head(0), head(1).transposed()) * (1 / Double(hd).squareRoot())
        + Tensor(shape: [b, 1, t, t], values: bias, dtype: qkv.dtype)
    return try Tensor.matmul(scores.softmax(axis: -1), head(2)).permuted([0, 2, 1, 3]).reshaped([b, t, d])
}

/// The core's attention op on `[B, T, 3d]` fused projections as a batch of `B` sequences (the layers' packing).
func batchedAttention(_ qkv: Tensor, heads: Int, causal: Bool, padding: [Bool]?) throws -> Tensor {
    let b = qkv.shape[0], t = qkv.shape[1], d = qkv.shape[2] / 3
    let segments = (0..<b).map { AttentionSegment(queries: ($0 * t)..<(($0 + 1) * t), keys: [($0 * t)..<(($0 + 1) * t)]) }
    let layout = try AttentionHeads(heads: heads, kvHeads: heads, headDim: d / heads)
    return try Tensor.attention(qkv: qkv.reshaped([b * t, 3 * d]), heads: layout, segments: segments,
                                mask: AttentionMask(causal: causal, keyPadding: padding)).reshaped([b, t, d])
}
