extension Tensor {
    /// The elements along `axis` in order, and where each came from: `values[…, j, …] = self[…, indices[…, j, …], …]`.
    /// Ascending unless `descending`; equal elements keep their order; NaN counts as the largest (as in PyTorch).
    /// The gradient of `values` flows back to the elements it took.
    public func sorted(axis: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try selectAlong(axis: axis, k: nil, largest: descending, op: .sort)
    }

    /// The `k` largest (or, with `largest: false`, smallest) elements along `axis`, best first, and their positions
    /// (int64). The gradient of `values` flows back to the selected elements.
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        try selectAlong(axis: axis, k: k, largest: largest, op: .topk)
    }

    /// Orders each lane along `axis` and keeps its first `k` positions (all when nil).
    private func selectAlong(axis: Int, k: Int?, largest: Bool, op: TensorOp) throws -> (values: Tensor, indices: Tensor) {
        guard rank >= 1 else { throw TensorError.invalidArgument(op: op, "needs a tensor with at least one axis") }
        let ax = try Shape.axis(axis, rank: rank, op: op)
        let n = shape[ax]
        let keep = k ?? n
        guard keep >= 0, keep <= n else {
            throw TensorError.invalidArgument(op: op, "k must be between 0 and \(n) (the size of axis \(ax)), got \(keep)")
        }
        var outer = 1, inner = 1
        for i in 0..<ax { outer *= shape[i] }
        for i in (ax + 1)..<rank { inner *= shape[i] }
        var outShape = shape
        outShape[ax] = keep
        let source = doubles
        var positions = [Int](repeating: 0, count: outer * keep * inner)
        var lane = [Int](repeating: 0, count: n)
        // NaN is larger than every number; ties keep their order (a stable sort).
        func before(_ a: Int, _ b: Int, _ base: Int) -> Bool {
            let x = source[base + a * inner], y = source[base + b * inner]
            if x.isNaN || y.isNaN {
                if x.isNaN == y.isNaN { return a < b }
                return largest ? x.isNaN : y.isNaN
            }
            if x == y { return a < b }
            return largest ? x > y : x < y
        }
        for o in 0..<outer {
            for j in 0..<inner {
                let base = o * n * inner + j
                for i in 0..<n { lane[i] = i }
                lane.sort { before($0, $1, base) }
                for i in 0..<keep { positions[(o * keep + i) * inner + j] = lane[i] }
            }
        }
        let indices = try Tensor(shape: outShape, scalars: positions.map { Int64($0) })
        var picked = [Double](repeating: 0, count: positions.count)
        for o in 0..<outer {
            for i in 0..<keep {
                for j in 0..<inner {
                    let at = (o * keep + i) * inner + j
                    picked[at] = source[(o * n + positions[at]) * inner + j]
                }
            }
        }
        let values = try Tensor(shape: outShape, scalars: picked).to(dtype)
        let inputShape = shape, inputDType = dtype
        let result = Tensor.record(op.rawValue, values, self, { g in
            // Each output gradient goes back to the element it was taken from.
            let gs = g.doubles
            var back = [Double](repeating: 0, count: outer * n * inner)
            for o in 0..<outer {
                for i in 0..<keep {
                    for j in 0..<inner {
                        let at = (o * keep + i) * inner + j
                        back[(o * n + positions[at]) * inner + j] += gs[at]
                    }
                }
            }
            return try Tensor(shape: inputShape, scalars: back).to(inputDType)
        })
        return (result, indices)
    }
}
