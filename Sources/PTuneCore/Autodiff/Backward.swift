/// What one backward pass did: how many operations it walked, how many input gradients it computed, and how many
/// bytes those gradients took. Frozen inputs cost nothing here, which tests make observable.
public struct BackwardReport: Sendable, Equatable {
    /// Operation nodes whose backward function ran.
    public var operations = 0
    /// Input gradients computed (one per input that needed one).
    public var gradientKernels = 0
    /// Bytes of the gradient tensors computed.
    public var gradientBytes = 0
    /// Names of the operations whose backward ran, in the order they ran.
    public var operationNames: [String] = []
}

extension Tensor {
    /// Backpropagates from this scalar: accumulates (`+=`) d self / d leaf into every trainable leaf's
    /// ``GradNode/grad`` that this tensor depends on. Returns what the pass did.
    @discardableResult
    public func backward() throws -> BackwardReport {
        guard let root = node else { throw TensorError.noGradient("the loss") }
        var report = BackwardReport()
        let grads = try Tensor.backpropagate(from: root, seed: try unitSeed(), isTarget: { $0.isLeaf }, report: &report)
        for (leaf, g) in grads where leaf.isLeaf {
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
        var targets = Set<ObjectIdentifier>()
        for (i, t) in tensors.enumerated() {
            guard let n = t.node else { throw TensorError.noGradient("argument \(i + 1) of gradients") }
            targets.insert(ObjectIdentifier(n))
        }
        var found: [ObjectIdentifier: Tensor] = [:]
        if let root = loss.node {
            let grads = try backpropagate(from: root, seed: try loss.unitSeed(),
                                          isTarget: { targets.contains(ObjectIdentifier($0)) }, report: &report)
            for (n, g) in grads { found[ObjectIdentifier(n)] = g }
        } else {
            _ = try loss.unitSeed()
        }
        return try tensors.map { t in
            if let g = t.node.flatMap({ found[ObjectIdentifier($0)] }) { return g }
            return try Tensor.zeros(t.shape, dtype: t.dtype)
        }
    }

    /// The gradient seed of a scalar: a one of the same dtype.
    private func unitSeed() throws -> Tensor {
        guard count == 1 else { throw TensorError.notScalar(shape) }
        return try Tensor.full(shape, value: 1, dtype: dtype)
    }

    /// Walks the graph below `root` once in reverse topological order. Returns the gradient of every node for which
    /// `isTarget` holds. Only paths that lead to a target are followed, and only inputs on such paths get a gradient.
    static func backpropagate(from root: GradNode, seed: Tensor, isTarget: (GradNode) -> Bool,
                              report: inout BackwardReport) throws -> [(GradNode, Tensor)] {
        // Topological order by iterative depth-first search; `slot` marks visited nodes.
        var order: [GradNode] = []
        var stack: [(GradNode, Int)] = [(root, 0)]
        root.slot = -2
        defer { for n in order { n.slot = -1 }; root.slot = -1 }
        while let (n, next) = stack.last {
            if next < n.inputs.count {
                stack[stack.count - 1].1 = next + 1
                if let child = n.inputs[next], child.slot == -1 {
                    child.slot = -2
                    stack.append((child, 0))
                }
            } else {
                stack.removeLast()
                n.slot = order.count
                order.append(n)
            }
        }
        // A node is needed when it is a target or leads to one.
        var needed = [Bool](repeating: false, count: order.count)
        for (i, n) in order.enumerated() {
            var need = isTarget(n)
            if !need { for c in n.inputs { if let c, needed[c.slot] { need = true; break } } }
            needed[i] = need
        }
        var grads = [Tensor?](repeating: nil, count: order.count)
        grads[root.slot] = seed
        var results: [(GradNode, Tensor)] = []
        try Tensor.withoutRecording {
            for i in stride(from: order.count - 1, through: 0, by: -1) {
                guard needed[i], let g = grads[i] else { continue }
                let n = order[i]
                if isTarget(n) { results.append((n, g)) }
                guard let backward = n.backwardFunction else { continue }
                grads[i] = nil
                let mask = InputMask(n.inputs.map { c in c.map { needed[$0.slot] } ?? false })
                if !mask.any { continue }
                let inputGrads = try backward(g, mask)
                report.operations += 1
                report.operationNames.append(n.name)
                for (k, c) in n.inputs.enumerated() {
                    guard let c, mask[k], k < inputGrads.count, let gk = inputGrads[k] else { continue }
                    report.gradientKernels += 1
                    report.gradientBytes += gk.byteCount
                    if var acc = grads[c.slot] {
                        grads[c.slot] = nil
                        try acc.addInPlace(gk)
                        grads[c.slot] = acc
                    } else {
                        grads[c.slot] = gk
                    }
                }
            }
        }
        return results
    }
}
