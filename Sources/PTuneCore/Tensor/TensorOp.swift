/// The operation a ``TensorError`` happened in. Its ``spelling`` is how messages name it.
public enum TensorOp: String, Sendable, CaseIterable {
    // Arithmetic and comparison: spelled as the verb a message about mismatched operands uses.
    /// `a + b`
    case add
    /// `a − b`
    case subtract
    /// `a ⊙ b`
    case multiply
    /// `a ÷ b`
    case divide
    /// `a ⋄ b` for any ``Comparison``.
    case compare
    /// `aᵇ`
    case power = "pow"
    /// The elementwise larger of two tensors.
    case maximum
    /// The elementwise smaller of two tensors.
    case minimum
    /// `+=` in place.
    case addInPlace = "add_"
    /// `clamp(x, low, high)`
    case clamp

    // Elementwise functions.
    /// eˣ
    case exp
    /// ln x
    case log
    /// √x
    case sqrt
    /// |x|
    case abs
    /// tanh x
    case tanh
    /// σ(x)
    case sigmoid
    /// max(x, 0)
    case relu
    /// x · Φ(x)
    case gelu
    /// x · σ(x)
    case silu
    /// silu(gate) ⊙ up
    case swiglu
    /// GELU (tanh form)-gated linear unit on fused halves.
    case geglu

    // Reductions and normalisations.
    /// Σ
    case sum
    /// The mean.
    case mean
    /// The variance.
    case variance
    /// The largest element.
    case max
    /// The smallest element.
    case min
    /// The position of the largest element.
    case argmax
    /// The position of the smallest element.
    case argmin
    /// softmax
    case softmax
    /// log softmax
    case logSoftmax = "log_softmax"
    /// Layer normalisation.
    case layerNorm = "layer_norm"
    /// RMS normalisation.
    case rmsNorm = "rms_norm"

    // Products and transformer ops.
    /// The matrix product.
    case matmul
    /// `x · Wᵀ + b`
    case linear
    /// Scaled dot-product attention.
    case attention
    /// Rotary position embeddings.
    case rotary

    // Losses.
    /// Mean squared error.
    case mse
    /// Cross-entropy over class indices.
    case crossEntropy = "cross_entropy"
    /// Binary cross-entropy on logits.
    case binaryCrossEntropyWithLogits = "binary_cross_entropy_with_logits"
    /// The causal language-model loss.
    case causalLMLoss = "causal_lm_loss"

    // Shapes and indexing.
    /// Joining along an existing axis.
    case concat
    /// Joining along a new axis.
    case stack
    /// A sub-range of one axis.
    case narrow
    /// Strided slicing.
    case slice
    /// Removing a size-1 axis.
    case squeeze
    /// Inserting a size-1 axis.
    case unsqueeze
    /// Swapping two axes.
    case transpose
    /// Reordering axes.
    case permute
    /// Broadcasting to a shape.
    case broadcastTo = "broadcast_to"
    /// Summing a broadcast gradient back to a shape.
    case sumTo = "sum_to"
    /// Reading one element or row.
    case index
    /// Gathering rows.
    case gather
    /// Ordering the elements along an axis.
    case sort
    /// The k best elements along an axis.
    case topk
    /// Picking one element per row.
    case pick
    /// `where(condition, a, b)`
    case `where`
    /// One-hot encoding.
    case oneHot = "one_hot"
    /// Writing into a slice.
    case assign

    // Creation, conversion and access.
    /// A nested literal.
    case tensorLiteral = "tensor literal"
    /// A range of numbers.
    case arange
    /// Uniform random numbers.
    case rand
    /// Normal random numbers.
    case randn
    /// Random integers.
    case randint
    /// Converting elements to another dtype.
    case convert = "to"
    /// The only element of a tensor.
    case item
    /// The elements as Swift scalars.
    case scalars
    /// Reading elements through a pointer.
    case read
    /// Writing elements through a pointer.
    case write
    /// Turning quantized blocks into floats.
    case dequantize

    // Autodiff and training.
    /// Making a tensor trainable.
    case requiresGrad = "requires_grad"
    /// Recomputing a function in the backward pass.
    case checkpoint
    /// Finite-difference gradient checking.
    case gradcheck
    /// Clipping gradients by their norm.
    case clipGradNorm = "clip_grad_norm"
    /// A model's forward pass (checks of its inputs).
    case forward

    /// How messages name the operation (`add`, `layer_norm`, `cross_entropy`, …).
    public var spelling: String { rawValue }

    /// Whether the operation combines two operands the way an operator of a language does (`+ − * /`,
    /// comparisons): its ``spelling`` is then the verb for operands whose shapes do not broadcast ("cannot add …").
    public var isOperator: Bool { Self.operators.contains(self) }

    private static let operators: Set<TensorOp> = [.add, .subtract, .multiply, .divide, .compare]
}
