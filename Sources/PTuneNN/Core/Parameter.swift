import PTuneCore

/// A named tensor a model owns: trainable (its ``value`` is an autodiff leaf, so gradients reach it) unless frozen
/// (its value is a constant, so no gradient is ever computed for it and optimizers refuse it).
///
/// Names are dotted paths that stay stable across runs, as PyTorch's `state_dict` keys: `mlp_head.0.weight`.
public final class Parameter {
    /// The dotted path of this parameter inside its model.
    public private(set) var name: String
    /// The current values: a trainable leaf (``PTuneCore/Tensor/requiresGrad``) unless frozen.
    public internal(set) var value: Tensor
    /// Whether the parameter is frozen (a constant: no gradient, no updates).
    public private(set) var isFrozen: Bool

    /// A parameter holding `value` (float32 or float64), trainable unless `frozen`.
    public init(_ value: Tensor, name: String, frozen: Bool = false) throws {
        guard value.dtype.isFloatingPoint else { throw NNError.nonFloatParameter(name, value.dtype) }
        self.name = name
        isFrozen = frozen
        self.value = frozen ? value.detached() : try value.detached().requiringGradient(name: name)
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }
    /// The element count of the value.
    public var count: Int { value.count }
    /// The element type of the value.
    public var dtype: DType { value.dtype }
    /// The gradient accumulated by ``PTuneCore/Tensor/backward(recordingNames:)`` (nil when none, or frozen).
    public var gradient: Tensor? { value.node?.grad }

    /// Clears the gradient accumulated by `backward()`.
    public func zeroGradient() { value.node?.zeroGrad() }

    /// Makes the parameter a constant: no gradient is computed for it from now on.
    public func freeze() {
        guard !isFrozen else { return }
        isFrozen = true
        value = value.detached()
    }

    /// Makes the parameter trainable again (a fresh autodiff leaf with the same values).
    public func unfreeze() {
        guard isFrozen else { return }
        isFrozen = false
        // A float tensor always accepts a gradient (checked at init), so this cannot fail.
        value = (try? value.requiringGradient(name: name)) ?? value
    }

    /// Overwrites the values with `newValue` (same shape; converted to this parameter's dtype), keeping the
    /// parameter's trainability and autodiff identity. This is how weights are loaded.
    public func assign(_ newValue: Tensor) throws {
        guard newValue.shape == value.shape else {
            throw NNError.weightShapeMismatch(name, expected: value.shape, got: newValue.shape)
        }
        try value.assign(try newValue.detached().to(value.dtype))
    }

    /// Renames the parameter (containers prefix their children's names when they adopt them).
    func rename(_ newName: String) {
        name = newName
        if !isFrozen, let relabelled = try? value.detached().requiringGradient(name: newName) { value = relabelled }
    }
}

extension Parameter: CustomStringConvertible {
    /// `mlp_head.0.weight [128, 1024] float32 (trainable)`
    public var description: String {
        "\(name) \(Shape.describe(shape)) \(dtype) (\(isFrozen ? "frozen" : "trainable"))"
    }
}
