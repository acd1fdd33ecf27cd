/// The extension point for differentiable operations written outside the core (fused losses, fused layer kernels):
/// compute the forward with any public API, then register its backward here. It obeys the same rules as the core's
/// own ops: nothing is recorded when no input requires a gradient or recording is off, and the backward is asked
/// only for the inputs whose ``InputMask`` bit is set.
extension Tensor {
    /// `output` as the result of an operation named `name` of `inputs`, with `backward` mapping the output's gradient
    /// to one gradient per input (`nil` where the mask says none is needed; each must have its input's shape and
    /// dtype). `output` must not depend on `inputs` through recorded operations (compute it without recording, or from
    /// raw values); its own autodiff record, if any, is dropped.
    public static func differentiable(_ name: String, output: Tensor, inputs: [Tensor],
                                      backward: @escaping BackwardFunction) -> Tensor {
        record(name, output.detached(), inputs: inputs, backward)
    }

    /// A tensor of `shape` and `dtype` whose elements are written by `body` (every element must be written), for
    /// kernels that fill their output directly instead of paying for zeros first.
    public static func filling<T: TensorScalar>(_ shape: [Int], as _: T.Type,
                                                _ body: (UnsafeMutableBufferPointer<T>) throws -> Void) throws -> Tensor {
        let t = try Tensor(uninitialized: shape, dtype: T.dtype)
        try body(UnsafeMutableBufferPointer(start: t.storage.typed(T.self), count: t.count))
        return t
    }
}
