import PTuneCore

/// One post-LN BERT encoder layer (weights in PyTorch's `[out, in]` layout, Hugging Face names under
/// `encoder.layer.N.`):
/// ```
/// q, k, v = h·W_qᵀ + b_q, h·W_kᵀ + b_k, h·W_vᵀ + b_v           split into H heads of width d/H
/// a = LN₁(softmax(q kᵀ / √(d/H) + mask) v · W_oᵀ + b_o + h)     mask: most negative float at padding keys
/// y = LN₂(GELU(a·W_iᵀ + b_i)·W_2ᵀ + b_2 + a)                   exact (erf) GELU
/// ```
struct BERTLayer {
    var query: Tensor, queryBias: Tensor
    var key: Tensor, keyBias: Tensor
    var value: Tensor, valueBias: Tensor
    var attentionOut: Tensor, attentionOutBias: Tensor
    var attentionNorm: Tensor, attentionNormBias: Tensor
    var intermediate: Tensor, intermediateBias: Tensor
    var output: Tensor, outputBias: Tensor
    var outputNorm: Tensor, outputNormBias: Tensor

    /// The Hugging Face names of the weights, in the order of ``tensors``, with their shapes for width `d` and
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

    /// A layer from its 16 tensors in the order of ``names(layer:d:f:)``.
    init(_ t: [Tensor]) {
        (query, queryBias, key, keyBias, value, valueBias) = (t[0], t[1], t[2], t[3], t[4], t[5])
        (attentionOut, attentionOutBias, attentionNorm, attentionNormBias) = (t[6], t[7], t[8], t[9])
        (intermediate, intermediateBias, output, outputBias, outputNorm, outputNormBias) = (t[10], t[11], t[12], t[13], t[14], t[15])
    }

    /// The tensors in the order of ``names(layer:d:f:)``.
    var tensors: [Tensor] {
        [query, queryBias, key, keyBias, value, valueBias, attentionOut, attentionOutBias, attentionNorm, attentionNormBias,
         intermediate, intermediateBias, output, outputBias, outputNorm, outputNormBias]
    }

    /// The layer applied to `h` `[B, T, d]` with an additive key mask `[B, 1, 1, T]` (nil: no padding).
    func callAsFunction(_ h: Tensor, mask: Tensor?, heads: Int, eps: Double) throws -> Tensor {
        let b = h.shape[0], t = h.shape[1], d = h.shape[2], hd = d / heads
        func split(_ x: Tensor) throws -> Tensor { try x.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3]) }
        let q = try split(dense(h, query, queryBias))
        let k = try split(dense(h, key, keyBias))
        let v = try split(dense(h, value, valueBias))
        var scores = try Tensor.matmul(q, k.transposed()) * (1 / Double(hd).squareRoot())  // [B, H, T, T]
        if let mask { scores = try scores + mask }
        let context = try Tensor.matmul(scores.softmax(axis: -1), v).permuted([0, 2, 1, 3]).reshaped([b, t, d])
        let a = try (dense(context, attentionOut, attentionOutBias) + h)
            .layerNorm(weight: attentionNorm, bias: attentionNormBias, eps: eps)
        let inner = try dense(a, intermediate, intermediateBias).gelu()
        return try (dense(inner, output, outputBias) + a).layerNorm(weight: outputNorm, bias: outputNormBias, eps: eps)
    }
}

/// A dense layer `x·Wᵀ + b` for `W` in PyTorch's `[out, in]` layout.
func dense(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) throws -> Tensor {
    try Tensor.matmul(x, weight.transposed()) + bias
}
