import PTuneCore
import PTuneNN

/// One post-LN BERT encoder layer (weights in PyTorch's `[out, in]` layout, Hugging Face names under
/// `encoder.layer.N.`):
/// ```
/// q, k, v = h·W_qᵀ + b_q, h·W_kᵀ + b_k, h·W_vᵀ + b_v           split into H heads of width d/H
/// a = LN₁(softmax(q kᵀ / √(d/H) + mask) v · W_oᵀ + b_o + h)     mask: most negative float at padding keys
/// y = LN₂(GELU(a·W_iᵀ + b_i)·W_2ᵀ + b_2 + a)                   exact (erf) GELU
/// ```
struct BERTLayer {
    /// The 16 weights in the order of ``names(layer:d:f:)``.
    let parameters: [Parameter]

    /// The Hugging Face names of the weights, in order, with their shapes for width `d` and
    /// feed-forward width `f`.
    static func names(layer i: Int, d: Int, f: Int) -> [(name: String, shape: [Int])] {
        let p = "encoder.layer.\(i)."
        return [
            (p + "attention.self.query.weight", [d, d]), (p + "attention.self.query.bias", [d]),
            (p + "attention.self.key.weight", [d, d]), (p + "attention.self.key.bias", [d]),
            (p + "attention.self.value.weight", [d, d]), (p + "attention.self.value.bias", [d]),
            (p + "attention.output.dense.weight", [d, d]), (p + "attention.output.dense.bias", [d]),
            (p + "attention.output.LayerNorm.weight", [d]), (p + "attention.output.LayerNorm.bias", [d]),
            (p + "intermediate.dense.weight", [f, d]), (p + "intermediate.dense.bias", [f]),
            (p + "output.dense.weight", [d, f]), (p + "output.dense.bias", [d]),
            (p + "output.LayerNorm.weight", [d]), (p + "output.LayerNorm.bias", [d]),
        ]
    }

    /// A layer over its 16 parameters in the order of ``names(layer:d:f:)``.
    init(_ parameters: [Parameter]) { self.parameters = parameters }

    @inline(__always) private func w(_ i: Int) -> Tensor { parameters[i].value }

    /// The layer applied to `h` `[B, T, d]` with an additive key mask `[B, 1, 1, T]` (nil: no padding).
    func callAsFunction(_ h: Tensor, mask: Tensor?, heads: Int, eps: Double) throws -> Tensor {
        let b = h.shape[0], t = h.shape[1], d = h.shape[2], hd = d / heads
        func split(_ x: Tensor) throws -> Tensor { try x.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3]) }
        let q = try split(Tensor.linear(h, weight: w(0), bias: w(1)))
        let k = try split(Tensor.linear(h, weight: w(2), bias: w(3)))
        let v = try split(Tensor.linear(h, weight: w(4), bias: w(5)))
        var scores = try Tensor.matmul(q, transposing: k) * (1 / Double(hd).squareRoot())  // [B, H, T, T]
        if let mask { scores = try scores + mask }
        let context = try Tensor.matmul(scores.softmax(axis: -1), v).permuted([0, 2, 1, 3]).reshaped([b, t, d])
        let a = try (Tensor.linear(context, weight: w(6), bias: w(7)) + h).layerNorm(weight: w(8), bias: w(9), eps: eps)
        let inner = try Tensor.linear(a, weight: w(10), bias: w(11)).gelu()
        return try (Tensor.linear(inner, weight: w(12), bias: w(13)) + a).layerNorm(weight: w(14), bias: w(15), eps: eps)
    }
}
