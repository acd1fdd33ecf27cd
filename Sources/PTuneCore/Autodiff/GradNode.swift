/// Which inputs of an operation need a gradient in the current backward pass.
///
/// Backward functions compute a gradient only for inputs whose bit is set: a frozen weight's gradient is never
/// computed, not computed and dropped.
public struct InputMask: Sendable {
    let flags: [Bool]
    init(_ flags: [Bool]) { self.flags = flags }
    /// Whether input `i` needs a gradient.
    @inline(__always) public subscript(i: Int) -> Bool { i >= 0 && i < flags.count && flags[i] }
    /// Whether any input needs a gradient.
    var any: Bool { flags.contains(true) }
}

/// The gradient of one operation with respect to its inputs: given the gradient of its output, return one entry per
/// input, `nil` where the mask says the input needs none.
public typealias BackwardFunction = (_ outputGradient: Tensor, _ needs: InputMask) throws -> [Tensor?]

/// A node of the autodiff graph: either a leaf (a trainable tensor) or the operation that produced a tensor.
public final class GradNode: @unchecked Sendable {
    /// The operation's name (`"mul"`, `"matmul"`, …) or the leaf's name.
    public let name: String
    /// The inputs' nodes; `nil` for an input that requires no gradient (a constant or frozen weight).
    let inputs: [GradNode?]
    /// The backward function, `nil` for a leaf.
    let backwardFunction: BackwardFunction?
    /// The gradient accumulated by ``Tensor/backward()`` (leaves only).
    public internal(set) var grad: Tensor?
    /// Scratch slot used while one backward pass sorts the graph; `-1` outside a pass.
    var slot: Int = -1

    /// Creates a leaf.
    init(leafNamed name: String) {
        self.name = name
        self.inputs = []
        self.backwardFunction = nil
    }

    /// Creates an operation node.
    init(op name: String, inputs: [GradNode?], backward: @escaping BackwardFunction) {
        self.name = name
        self.inputs = inputs
        self.backwardFunction = backward
    }

    /// Whether this node is a leaf (a trainable tensor, not an operation's result).
    public var isLeaf: Bool { backwardFunction == nil }

    /// Clears the gradient accumulated on this leaf.
    public func zeroGrad() { grad = nil }
}

extension Tensor {
    /// Attaches an operation record to `result` if an input requires a gradient and recording is on.
    ///
    /// This is how every differentiable op registers its backward beside its forward. The backward closure is an
    /// autoclosure: it is not even allocated when no input requires a gradient.
    @inline(__always)
    static func record(_ op: String, _ result: Tensor, inputs: [Tensor],
                       _ backward: @autoclosure () -> BackwardFunction) -> Tensor {
        var any = false
        for t in inputs where t.node != nil { any = true; break }
        guard any, TensorContext.isRecording else { return result }
        var out = result
        out.node = GradNode(op: op, inputs: inputs.map(\.node), backward: backward())
        return out
    }

    /// Two-input form of ``record(_:_:inputs:_:)`` that allocates nothing when neither input requires a gradient.
    @inline(__always)
    static func record(_ op: String, _ result: Tensor, _ a: Tensor, _ b: Tensor,
                       _ backward: @autoclosure () -> BackwardFunction) -> Tensor {
        guard a.node != nil || b.node != nil, TensorContext.isRecording else { return result }
        var out = result
        out.node = GradNode(op: op, inputs: [a.node, b.node], backward: backward())
        return out
    }

    /// One-input form of ``record(_:_:inputs:_:)``: `backward` maps the output's gradient to the input's.
    @inline(__always)
    static func record(_ op: String, _ result: Tensor, _ input: Tensor,
                       _ backward: @autoclosure () -> (Tensor) throws -> Tensor) -> Tensor {
        guard input.node != nil, TensorContext.isRecording else { return result }
        var out = result
        let f = backward()
        out.node = GradNode(op: op, inputs: [input.node]) { g, _ in [try f(g)] }
        return out
    }

    /// Runs `body` without recording any operation (inference, evaluation, optimizer updates).
    public static func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        try TensorContext.$isRecording.withValue(false, operation: body)
    }
}
