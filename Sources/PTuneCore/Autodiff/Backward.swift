/// What one backward pass did: how many operations it walked, how many input gradients it computed, and how many
/// bytes those gradients took. Frozen inputs cost nothing here, which tests make observable.
public struct BackwardReport: Sendable, Equatable {
    /// Operation nodes whose backward function ran.
    public var operations = 0
    /// Input gradients computed (one per input that needed one).
    public var gradientKernels = 0
    /// Bytes of the gradient tensors computed.
    public var gradientBytes = 0
    /// Names of the operations whose backward ran, in the order they ran (kept when ``recordsNames`` is set).
    public var operationNames: [String] = []
    /// Whether to keep ``operationNames`` (off on the hot path).
    public var recordsNames = false

    /// An empty report; `recordsNames` keeps the names of the operations walked.
    public init(recordsNames: Bool = false) { self.recordsNames = recordsNames }
}

extension Tensor {
    /// Backpropagates from this scalar: accumulates (`+=`) d self / d leaf into every trainable leaf's
    /// ``GradNode/grad`` that this tensor depends on. Returns what the pass did.
    @discardableResult
    public func backward(recordingNames: Bool = false) throws -> BackwardReport {
        guard let root = node else { throw TensorError.noGradient("the loss") }
        var report = BackwardReport(recordsNames: recordingNames)
        let grads = try Tensor.backpropagate(from: root, seed: try unitSeed(), leavesAreTargets: true, report: &report)
        for (leaf, g) in zip(grads.nodes, grads.gradients) where leaf.isLeaf {
            if let existing = leaf.grad {
                var acc = existing
                try acc.addInPlace(g)
                leaf.grad = acc
            } else {
                leaf.grad = g
            }
        }
        return report
    }

    /// The gradients of the scalar `loss` with respect to each of `tensors`, touching nothing else (no leaf's
    /// ``GradNode/grad`` changes). A tensor the loss does not depend on gets zeros.
    public static func gradients(of loss: Tensor, wrt tensors: [Tensor]) throws -> [Tensor] {
        var report = BackwardReport()
        return try gradients(of: loss, wrt: tensors, report: &report)
    }

    /// ``gradients(of:wrt:)`` that also reports what the pass did.
    public static func gradients(of loss: Tensor, wrt tensors: [Tensor], report: inout BackwardReport) throws -> [Tensor] {
        var targets: [GradNode] = []
        targets.reserveCapacity(tensors.count)
        for (i, t) in tensors.enumerated() {
            guard let n = t.node else { throw TensorError.noGradient("argument \(i + 1) of gradients") }
            targets.append(n)
        }
        let seed = try loss.unitSeed()
        var result: [Tensor?] = Array(repeating: nil, count: tensors.count)
        if let root = loss.node {
            for n in targets { n.isTarget = true }
            defer { for n in targets { n.isTarget = false } }
            let grads = try backpropagate(from: root, seed: seed, leavesAreTargets: false, report: &report)
            // Each target's gradient, matched by identity (a tensor may be listed twice).
            for (k, n) in grads.nodes.enumerated() {
                for (i, t) in targets.enumerated() where t === n { result[i] = grads.gradients[k] }
            }
        }
        return try tensors.enumerated().map { i, t in
            if let g = result[i] { return g }
            return try Tensor.zeros(t.shape, dtype: t.dtype)
        }
    }

    /// The gradient seed of a scalar: a one of the same dtype.
    private func unitSeed() throws -> Tensor {
        guard count == 1 else { throw TensorError.notScalar(shape) }
        return try Tensor.full(shape, value: 1, dtype: dtype)
    }

    /// The targets a backward pass reached and their gradients (parallel arrays).
    struct TargetGradients {
        var nodes: [GradNode] = []
        var gradients: [Tensor] = []
    }

    /// Walks the graph below `root` once in reverse topological order. Returns the gradient of every target: every
    /// leaf when `leavesAreTargets`, else every node marked ``GradNode/isTarget``. Only paths that lead to a target
    /// are followed, and only inputs on such paths get a gradient. With a ``StageProfile`` installed, each
    /// operation's backward is timed under the stage it was recorded in (or its name), besides the sorting and the
    /// gradient sums.
    static func backpropagate(from root: GradNode, seed: Tensor, leavesAreTargets: Bool,
                              report: inout BackwardReport) throws -> TargetGradients {
        @inline(__always) func isTarget(_ n: GradNode) -> Bool { leavesAreTargets ? n.isLeaf : n.isTarget }
        // Topological order by iterative depth-first search. The pass keeps its bookkeeping in the nodes' scratch
        // fields (slot: visited/position, cursor: next input to visit, needed, pending gradient) and clears them
        // when it ends, so a step allocates little besides the gradients themselves.
        let profile = TensorContext.stageProfile
        let started = profile == nil ? 0 : MonotonicClock.seconds()
        var order: [GradNode] = []
        order.reserveCapacity(32)
        var stack: [GradNode] = [root]
        stack.reserveCapacity(32)
        root.slot = -2
        root.cursor = 0
        defer {
            for n in order { n.slot = -1; n.pending = nil; n.needed = false }
            root.slot = -1; root.pending = nil
        }
        while let n = stack.last {
            let next = n.cursor
            if next < n.inputCount {
                n.cursor = next + 1
                if let child = n.input(next), child.slot == -1 {
                    child.slot = -2
                    child.cursor = 0
                    stack.append(child)
                }
            } else {
                stack.removeLast()
                n.slot = order.count
                // A node is needed when it is a target or leads to one (its inputs are already placed).
                var need = isTarget(n)
                if !need { for k in 0..<n.inputCount { if let c = n.input(k), c.needed { need = true; break } } }
                n.needed = need
                order.append(n)
            }
        }
        root.pending = seed
        if let profile { profile.add(StageProfile.backwardOrderStage, pass: .backward, seconds: MonotonicClock.seconds() - started) }
        var results = TargetGradients()
        try Tensor.withoutRecording {
            for i in stride(from: order.count - 1, through: 0, by: -1) {
                let n = order[i]
                guard n.needed, let g = n.pending else { continue }
                if isTarget(n) { results.nodes.append(n); results.gradients.append(g) }
                let gradsOf: InputGradients
                let t0 = profile == nil ? 0 : MonotonicClock.seconds()
                switch n.backward {
                case .leaf:
                    continue
                case let .unary(f):
                    guard let c = n.input0, c.needed else { continue }
                    n.pending = nil
                    gradsOf = InputGradients(first: try f(g))
                case let .nary(f):
                    var bits: UInt64 = 0
                    var more: [Bool] = []
                    for k in 0..<n.inputCount {
                        let need = n.input(k)?.needed ?? false
                        if k < 64 { if need { bits |= 1 << UInt64(k) } } else { more.append(need) }
                    }
                    let mask = InputMask(bits: bits, more: more)
                    if !mask.any { continue }
                    n.pending = nil
                    gradsOf = try f(g, mask)
                }
                if let profile { profile.add(n.stage ?? n.name, pass: .backward, seconds: MonotonicClock.seconds() - t0) }
                report.operations += 1
                if report.recordsNames { report.operationNames.append(n.name) }
                for k in 0..<n.inputCount {
                    guard let c = n.input(k), c.needed, let gk = gradsOf[k] else { continue }
                    report.gradientKernels += 1
                    report.gradientBytes += gk.byteCount
                    if var acc = c.pending {
                        let t1 = profile == nil ? 0 : MonotonicClock.seconds()
                        c.pending = nil
                        try acc.addInPlace(gk)
                        c.pending = acc
                        if let profile { profile.add(StageProfile.gradientSumStage, pass: .backward, seconds: MonotonicClock.seconds() - t1) }
                    } else {
                        c.pending = gk
                    }
                }
            }
        }
        return results
    }
}
