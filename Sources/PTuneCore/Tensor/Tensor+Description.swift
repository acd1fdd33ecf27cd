import Foundation

/// numpy-style printing: aligned columns, nested brackets, and a summary (`...`) of long axes.
extension Tensor: CustomStringConvertible {
    /// The values, then shape and dtype: `[[1.0000 2.0000]\n [3.0000 4.0000]] shape [2, 2] float32`.
    public var description: String { formatted() }

    /// Formats the tensor with `precision` decimals; axes longer than `2 · edgeItems` are summarised when the
    /// tensor has more than `threshold` elements. A rank-0 tensor prints as its value alone (shortest round-trip).
    public func formatted(precision: Int = 4, threshold: Int = 1000, edgeItems: Int = 3, withShape: Bool = true) -> String {
        if rank == 0 { return Tensor.shortest(element(0), dtype: dtype) }
        let summarize = count > threshold
        // Positions shown along each axis.
        let shown: [[Int?]] = shape.map { n in
            guard summarize && n > 2 * edgeItems else { return Array(0..<n) }
            return Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n)
        }
        var values: [Double] = []
        func collect(_ axis: Int, _ offset: Int) {
            if axis == rank { values.append(element(offset)); return }
            for p in shown[axis] { if let p { collect(axis + 1, offset * shape[axis] + p) } }
        }
        if count > 0 { collect(0, 0) }
        let fmt = Tensor.numberFormat(values, dtype: dtype, precision: precision)
        let width = values.map { fmt($0).count }.max() ?? 1
        var out = ""
        var index = 0
        func emit(_ axis: Int, indent: Int) {
            out += "["
            let items = shown[axis]
            for (i, p) in items.enumerated() {
                if i > 0 {
                    if axis == rank - 1 { out += " " } else {
                        out += String(repeating: "\n", count: rank - 1 - axis) + String(repeating: " ", count: indent + 1)
                    }
                }
                guard p != nil else { out += "..."; continue }
                if axis == rank - 1 {
                    let s = fmt(values[index]); index += 1
                    out += String(repeating: " ", count: width - s.count) + s
                } else {
                    emit(axis + 1, indent: indent + 1)
                }
            }
            out += "]"
        }
        emit(0, indent: 0)
        return withShape ? out + " shape \(Shape.describe(shape)) \(dtype)" : out
    }

    /// The shortest text that reads back as the same value in `dtype`.
    public static func shortest(_ v: Double, dtype: DType) -> String {
        switch dtype {
        case .int64: return String(Int64(fromDouble: v))
        case .float32: return Float(v).description
        case .float64: return v.description
        }
    }

    /// Fixed-point with `precision` decimals, or scientific when the magnitudes call for it; integers plainly.
    public static func numberFormat(_ values: [Double], dtype: DType, precision: Int) -> (Double) -> String {
        if dtype == .int64 { return { String(Int64(fromDouble: $0)) } }
        let finite = values.filter { $0.isFinite }
        let maxAbs = finite.map { Swift.abs($0) }.max() ?? 0
        let minAbs = finite.filter { $0 != 0 }.map { Swift.abs($0) }.min() ?? 0
        let scientific = maxAbs >= 1e8 || (minAbs > 0 && minAbs < 1e-4) || (maxAbs > 0 && maxAbs / Swift.max(minAbs, 1e-300) > 1e6 && minAbs < 1e-3)
        let p = Swift.max(0, Swift.min(precision, 17))
        return { v in
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            return scientific ? String(format: "%.\(p)e", v) : String(format: "%.\(p)f", v)
        }
    }
}
