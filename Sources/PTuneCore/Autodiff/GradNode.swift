/// Which inputs of an operation need a gradient in the current backward pass.
///
/// Backward functions compute a gradient only for inputs whose bit is set: a frozen weight's gradient is never
/// computed, not computed and dropped.
public struct InputMask: Sendable {
    /// One bit per input for the first 64 inputs.
    let bits: UInt64
    /// Flags for inputs past the 64th (empty for nearly every op).
    let more: [Bool]
    init(bits: UInt64, more: [Bool] = []) { self.bits = bits; self.more = more }
    /// Whether input `i` needs a gradient.
    @inline(__always) public subscript(i: Int) -> Bool {
        if i < 64 { return i >= 0 && bits & (1 << UInt64(i)) != 0 }
        return i - 64 < more.count && more[i - 64]
    }
    /// Whether any input needs a gradient.
    var any: Bool { bits != 0 || more.contains(true) }
}

/// The gradients of one operation's inputs, one entry per input (`nil` where the mask says none is needed). The first
/// two are stored inline, so the common one- and two-input ops allocate nothing for them.
public struct InputGradients: ExpressibleByArrayLiteral {
    var first: Tensor?
    var second: Tensor?
    var rest: [Tensor?]

    /// One gradient (a one-input op).
    init(first: Tensor?) { self.first = first; second = nil; rest = [] }

    /// Gradients listed in input order.
    public init(arrayLiteral elements: Tensor?...) { self.init(elements) }

    /// Gradients listed in input order.
    public init(_ elements: [Tensor?]) {
        first = elements.count > 0 ? elements[0] : nil
        second = elements.count > 1 ? elements[1] : nil
        rest = elements.count > 2 ? Array(elements[2...]) : []
    }

    /// The gradient of input `k`.
    @inline(__always) subscript(k: Int) -> Tensor? {
        switch k {
        case 0: return first
        case 1: return second
        default: return k - 2 < rest.count ? rest[k - 2] : nil
        }
    }
}

/// The gradient of one operation with respect to its inputs: given the gradient of its output, return one entry per
/// input, `nil` where the mask says the input needs none.
public typealias BackwardFunction = (_ outputGradient: Tensor, _ needs: InputMask) throws -> InputGradients

/// A node of the autodiff graph: either a leaf (a trainable tensor) or the operation that produced a tensor.
public final class GradNode: @unchecked Sendable {
    /// How this node passes gradients on.
    enum Backward {
        /// A trainable tensor: gradients stop here.
        case leaf
        /// A one-input op: the output's gradient maps to the input's.
        case unary((Tensor) throws -> Tensor)
        /// An op with several inputs.
        case nary(BackwardFunction)
    }

    /// The operation's name (`"mul"`, `"matmul"`, …) or the leaf's name.
    public let name: String
    /// The inputs' nodes (`nil` for an input that requires no gradient: a constant or frozen weight); the first two
    /// inline, the others in `moreInputs`. (Variables only so that ``deinit`` can take them apart.)
    private(set) var input0: GradNode?, input1: GradNode?
    private(set) var moreInputs: [GradNode?]
    /// How many inputs the op has.
    let inputCount: Int
    let backward: Backward
    /// The gradient accumulated by ``Tensor/backward(recordingNames:)`` (leaves only).
    public internal(set) var grad: Tensor?
    /// Scratch slot used while one backward pass sorts the graph; `-1` outside a pass.
    var slot: Int = -1
    /// Scratch mark of a backward pass: this node's gradient is wanted.
    var isTarget = false
    /// Scratch fields of a backward pass: the next input to visit, whether the node leads to a target, and the
    /// gradient accumulated so far.
    var cursor = 0
    var needed = false
    var pending: Tensor?
    /// The budget the node is charged to (``MemoryBudget/nodeOverhead``), so a long recorded graph counts against
    /// the memory limit.
    let budget: MemoryBudget? = GradNode.charged()
    /// The ``StageProfile`` stage the operation was recorded in, while a profile is installed (the backward pass
    /// charges its gradient's time there); nil otherwise.
    let stage: String? = StageProfile.recordingStage()

    /// The budget in effect, charged for one node.
    @inline(__always) static func charged() -> MemoryBudget? {
        let b = TensorContext.budget
        b?.charge(unchecked: MemoryBudget.nodeOverhead)
        return b
    }

    /// Creates a leaf.
    init(leafNamed name: String) {
        self.name = name
        input0 = nil; input1 = nil; moreInputs = []; inputCount = 0
        backward = .leaf
    }

    /// Creates a one-input operation node.
    init(op name: String, input: GradNode?, backward: @escaping (Tensor) throws -> Tensor) {
        self.name = name
        input0 = input; input1 = nil; moreInputs = []; inputCount = 1
        self.backward = .unary(backward)
    }

    /// Creates a two-input operation node.
    init(op name: String, _ a: GradNode?, _ b: GradNode?, backward: @escaping BackwardFunction) {
        self.name = name
        input0 = a; input1 = b; moreInputs = []; inputCount = 2
        self.backward = .nary(backward)
    }

    /// Creates an operation node with any number of inputs.
    init(op name: String, inputs: [GradNode?], backward: @escaping BackwardFunction) {
        self.name = name
        input0 = inputs.count > 0 ? inputs[0] : nil
        input1 = inputs.count > 1 ? inputs[1] : nil
        moreInputs = inputs.count > 2 ? Array(inputs[2...]) : []
        inputCount = inputs.count
        self.backward = .nary(backward)
    }

    /// Releases the graph below this node without recursion: a loop of a million recorded operations makes a chain
    /// of nodes that deep, and releasing it node by node (each release releasing its inputs) would overflow the
    /// stack. Inputs no one else holds are taken apart here, one at a time.
    deinit {
        budget?.release(charged: MemoryBudget.nodeOverhead)
        guard hasInputs else { return }
        // Only inputs that have inputs of their own can start a recursion; the others are released in place.
        var work: [GradNode] = []
        func take(_ node: GradNode) {
            if let a = node.input0, a.hasInputs { work.append(a) }
            if let b = node.input1, b.hasInputs { work.append(b) }
            for case let c? in node.moreInputs where c.hasInputs { work.append(c) }
            node.input0 = nil
            node.input1 = nil
            node.moreInputs = []
        }
        take(self)
        while var node = work.popLast() {
            if isKnownUniquelyReferenced(&node) { take(node) }
        }
    }

    /// Whether the node holds any input node.
    @inline(__always) var hasInputs: Bool { input0 != nil || input1 != nil || !moreInputs.isEmpty }

    /// Input `k`'s node.
    @inline(__always) func input(_ k: Int) -> GradNode? {
        switch k {
        case 0: return input0
        case 1: return input1
        default: return moreInputs[k - 2]
        }
    }

    /// Whether this node is a leaf (a trainable tensor, not an operation's result).
    public var isLeaf: Bool {
        if case .leaf = backward { return true }
        return false
    }

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
        out.node = GradNode(op: op, a.node, b.node, backward: backward())
        return out
    }

    /// One-input form of ``record(_:_:inputs:_:)``: `backward` maps the output's gradient to the input's.
    @inline(__always)
    static func record(_ op: String, _ result: Tensor, _ input: Tensor,
                       _ backward: @autoclosure () -> (Tensor) throws -> Tensor) -> Tensor {
        guard input.node != nil, TensorContext.isRecording else { return result }
        var out = result
        out.node = GradNode(op: op, input: input.node, backward: backward())
        return out
    }

    /// Runs `body` without recording any operation (inference, evaluation, optimizer updates).
    public static func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        try TensorContext.$isRecording.withValue(false, operation: body)
    }
}
