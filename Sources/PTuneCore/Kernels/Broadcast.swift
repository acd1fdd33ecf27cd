/// How two operands map onto their broadcast result: per-axis strides in the result's index space (0 on broadcast
/// axes). The common cases (same shape, one side a single element) take a flat loop.
struct BroadcastPlan {
    enum Kind { case same, scalarA, scalarB, general }
    let shape: [Int]
    let count: Int
    let kind: Kind
    let stridesA: [Int]
    let stridesB: [Int]

    init(_ a: [Int], _ b: [Int], op: TensorOp) throws {
        guard let out = Shape.broadcast(a, b) else { throw TensorError.broadcastMismatch(op: op, a, b) }
        shape = out
        count = Shape.count(out)
        let ca = Shape.count(a), cb = Shape.count(b)
        if a == b {
            kind = .same; stridesA = []; stridesB = []
        } else if cb == 1 && ca == count {
            kind = .scalarB; stridesA = []; stridesB = []
        } else if ca == 1 && cb == count {
            kind = .scalarA; stridesA = []; stridesB = []
        } else {
            kind = .general
            stridesA = BroadcastPlan.strides(of: a, in: out)
            stridesB = BroadcastPlan.strides(of: b, in: out)
        }
    }

    /// Strides of `shape` aligned to the right of `out`, 0 where `shape` is broadcast.
    static func strides(of shape: [Int], in out: [Int]) -> [Int] {
        let own = Shape.strides(shape)
        let pad = out.count - shape.count
        return (0..<out.count).map { i in
            i < pad ? 0 : (shape[i - pad] == 1 && out[i] != 1 ? 0 : own[i - pad])
        }
    }

    /// Calls `body(outIndex, aIndex, bIndex)` for every element, in row-major output order.
    @inline(__always)
    func forEach(_ body: (Int, Int, Int) -> Void) {
        switch kind {
        case .same: for i in 0..<count { body(i, i, i) }
        case .scalarA: for i in 0..<count { body(i, 0, i) }
        case .scalarB: for i in 0..<count { body(i, i, 0) }
        case .general:
            let rank = shape.count
            guard count > 0 else { return }
            if rank == 0 { body(0, 0, 0); return }
            let inner = shape[rank - 1], sa = stridesA[rank - 1], sb = stridesB[rank - 1]
            var idx = [Int](repeating: 0, count: rank)
            var offA = 0, offB = 0, o = 0
            while o < count {
                var ia = offA, ib = offB
                for _ in 0..<inner { body(o, ia, ib); o += 1; ia += sa; ib += sb }
                // Advance the outer counter (all axes but the last).
                var ax = rank - 2
                while ax >= 0 {
                    idx[ax] += 1
                    offA += stridesA[ax]; offB += stridesB[ax]
                    if idx[ax] < shape[ax] { break }
                    offA -= stridesA[ax] * shape[ax]; offB -= stridesB[ax] * shape[ax]
                    idx[ax] = 0
                    ax -= 1
                }
            }
        }
    }
}

extension Tensor {
    /// Sums this (broadcast) gradient down to `target`'s shape: the backward of broadcasting.
    func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        guard Shape.broadcasts(target, to: shape) else {
            throw TensorError.broadcastMismatch(op: .sumTo, shape, target)
        }
        var out = try Tensor.zeros(target, dtype: dtype)
        let strides = BroadcastPlan.strides(of: target, in: shape)
        // Reuse the plan's general walk with `out` in the A slot and nothing in the B slot.
        let plan = BroadcastPlan(generalShape: shape, stridesA: strides)
        func run<T: TensorScalar>(_: T.Type) {
            let src = storage.typed(T.self), dst = out.storage.typed(T.self)
            plan.forEach { o, a, _ in dst[a] += src[o] }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        }
        out.node = nil
        return out
    }
}

extension BroadcastPlan {
    /// A general plan over `shape` with the given A strides and zero B strides.
    init(generalShape: [Int], stridesA: [Int]) {
        shape = generalShape
        count = Shape.count(generalShape)
        kind = .general
        self.stridesA = stridesA
        stridesB = [Int](repeating: 0, count: generalShape.count)
    }
}
