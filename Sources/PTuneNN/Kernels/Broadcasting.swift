import PTuneCore

/// Index arithmetic for broadcasting a smaller tensor into a larger shape.
enum Broadcasting {
    /// Where each element of the larger shape reads the smaller tensor.
    enum Offsets {
        /// Same shape: element i reads element i.
        case same
        /// The smaller shape is a trailing block of the larger (after leading 1s): element i reads i mod m.
        case cyclic(Int)
        /// Any other broadcast: element i reads `table[i]`.
        case table([Int])
    }

    /// How `small` broadcasts onto `shape` (row-major), or nil when it does not broadcast into `shape` exactly.
    static func offsets(of small: [Int], into shape: [Int]) -> Offsets? {
        if small == shape { return .same }
        guard small.count <= shape.count, Shape.broadcast(small, shape) == shape else { return nil }
        var trimmed = small[...]
        while trimmed.first == 1 { trimmed.removeFirst() }
        if trimmed.isEmpty { return .cyclic(1) }
        if Array(trimmed) == Array(shape.suffix(trimmed.count)) { return .cyclic(Shape.count(Array(trimmed))) }
        let n = Shape.count(shape), pad = shape.count - small.count
        let own = Shape.strides(small)
        var strides = [Int](repeating: 0, count: shape.count)
        for i in 0..<small.count where small[i] != 1 { strides[pad + i] = own[i] }
        var out = [Int](repeating: 0, count: n)
        var index = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for k in 0..<n {
            out[k] = offset
            var ax = shape.count - 1
            while ax >= 0 {
                index[ax] += 1
                offset += strides[ax]
                if index[ax] < shape[ax] { break }
                offset -= strides[ax] * shape[ax]
                index[ax] = 0
                ax -= 1
            }
        }
        return .table(out)
    }
}
