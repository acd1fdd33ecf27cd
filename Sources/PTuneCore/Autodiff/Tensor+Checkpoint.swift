extension Tensor {
    /// `f(x)` without keeping `f`'s intermediate results (gradient checkpointing): the forward runs without
    /// recording, and only when a backward pass reaches the result does it run `f` again, recording, on a fresh leaf
    /// holding `x`'s values, and pass that leaf's gradient on to `x`:
    /// ```
    /// y = f(x)            kept: x and f, not f's intermediates
    /// ∂L/∂x = ∂⟨f(x'), ∂L/∂y⟩/∂x'  at x' = x
    /// ```
    /// Memory is what one call of `f` needs instead of what every call's graph holds until the backward, for one
    /// more forward in the backward pass. `f` must be deterministic and differentiable in its argument only (its own
    /// tensors get no gradient). When `x` needs no gradient or recording is off, this is just `f(x)`.
    public static func checkpointed(_ x: Tensor, _ f: @escaping (Tensor) throws -> Tensor) throws -> Tensor {
        guard x.node != nil, TensorContext.isRecording else { return try f(x) }
        let y = try withoutRecording { try f(x.detached()) }
        let value = x.detached()
        return record("checkpoint", y, x, { g in
            try TensorContext.$isRecording.withValue(true) {
                let leaf = try value.requiringGradient(name: "checkpoint")
                let out = try f(leaf)
                guard out.shape == g.shape else {
                    throw TensorError.shapeMismatch(op: .checkpoint, "the recomputed result \(Shape.describe(out.shape)) differs from \(Shape.describe(g.shape))")
                }
                return try gradients(of: (out * g.detached()).sum(), wrt: [leaf])[0]
            }
        })
    }
}
