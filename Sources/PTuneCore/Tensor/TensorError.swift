/// Everything that can go wrong in a tensor operation. Every public operation throws one of these instead of
/// trapping, so a script or REPL line with bad shapes, dtypes or indices gets a clear message.
public enum TensorError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Two operands have different dtypes (`op`, left dtype, right dtype).
    case dtypeMismatch(op: TensorOp, DType, DType)
    /// The operation does not support the dtype (`op`, dtype).
    case unsupportedDType(op: TensorOp, DType)
    /// Shapes cannot be broadcast together (`op`, left shape, right shape).
    case broadcastMismatch(op: TensorOp, [Int], [Int])
    /// A shape is not what the operation needs (`op`, explanation).
    case shapeMismatch(op: TensorOp, String)
    /// `matmul` inner dimensions differ (left shape, right shape).
    case matmulMismatch([Int], [Int])
    /// A reshape to a shape with a different element count.
    case reshapeMismatch(from: [Int], to: [Int])
    /// An axis outside `-rank..<rank` (`op`, axis, rank).
    case axisOutOfRange(op: TensorOp, axis: Int, rank: Int)
    /// An index outside `0..<size` (`op`, index, size).
    case indexOutOfRange(op: TensorOp, index: Int, size: Int)
    /// A negative or otherwise invalid shape.
    case invalidShape([Int])
    /// An argument outside the values the operation accepts (`op`, explanation).
    case invalidArgument(op: TensorOp, String)
    /// The number of values given does not fill the shape.
    case countMismatch(expected: Int, got: Int)
    /// An allocation larger than the configured limit (elements requested, limit).
    case tooLarge(elements: Int, limit: Int)
    /// A tensor would take more bytes than one tensor may (bytes, limit).
    case tooManyBytes(bytes: Int, limit: Int)
    /// An allocation would take the memory held over the budget (bytes requested, bytes live, limit).
    case outOfMemory(requested: Int, live: Int, limit: Int)
    /// Something other than a tensor would grow the memory held past the budget (what, its bytes, bytes held, limit).
    case memoryLimit(what: String, bytes: Int, held: Int, limit: Int)
    /// A shape whose element count does not fit in a machine integer, or is past the limit (shape, limit).
    case shapeTooLarge([Int], limit: Int)
    /// A tensor of more axes than ``Tensor/maxRank`` (the rank asked for).
    case tooManyAxes(Int)
    /// Gradients were requested of a tensor that is not a scalar.
    case notScalar([Int])
    /// Gradients were requested with respect to a tensor that does not require a gradient.
    case noGradient(String)

    /// A lowercase message in the style of the diagnostics catalogue.
    public var description: String {
        switch self {
        case let .dtypeMismatch(op, a, b):
            return "\(op.spelling): cannot mix dtypes \(a) and \(b) (convert one with to(\(a)) or to(\(b)))"
        case let .unsupportedDType(op, t):
            return "\(op.spelling) does not support dtype \(t)"
        case let .broadcastMismatch(op, a, b):
            return "\(op.spelling): cannot broadcast shapes \(Shape.describe(a)) and \(Shape.describe(b))"
        case let .shapeMismatch(op, why):
            return "\(op.spelling): \(why)"
        case let .matmulMismatch(a, b):
            return "matmul: inner dimensions differ: \(Shape.describe(a)) @ \(Shape.describe(b))"
        case let .reshapeMismatch(from, to):
            return "cannot reshape \(Shape.describe(from)) (\(Shape.count(from)) elements) to \(Shape.describe(to))"
        case let .axisOutOfRange(op, axis, rank):
            return "\(op.spelling): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .indexOutOfRange(op, index, size):
            return "\(op.spelling): index \(index) is out of range for size \(size)"
        case let .invalidShape(s):
            return "invalid shape \(Shape.describe(s)): dimensions must be non-negative"
        case let .invalidArgument(op, why):
            return "\(op.spelling): \(why)"
        case let .countMismatch(expected, got):
            return "expected \(expected) values to fill the shape, got \(got)"
        case let .tooLarge(elements, limit):
            return "tensor of \(elements) elements exceeds the limit of \(limit) elements"
        case let .tooManyBytes(bytes, limit):
            return "tensor of \(bytes) bytes exceeds the limit of \(limit) bytes per tensor"
        case let .outOfMemory(requested, live, limit):
            if limit == 0 { return "cannot allocate \(requested) bytes: the machine refused" }
            return "cannot allocate \(requested) bytes: \(live) bytes are held and the memory limit is \(limit) bytes"
        case let .memoryLimit(what, bytes, held, limit):
            return "\(what) would take \(bytes) bytes: \(held) bytes are held and the memory limit is \(limit) bytes"
        case let .shapeTooLarge(shape, limit):
            return "shape \(Shape.describe(shape)) is too large: its extents multiply to more than \(limit), the element limit" +
                (shape.contains(0) ? " (an extent of 0 leaves it empty, but the others must still fit)" : "")
        case let .tooManyAxes(rank):
            return "a tensor of \(rank) axes: at most \(Tensor.maxRank) are allowed"
        case let .notScalar(s):
            return "gradients need a scalar loss, got shape \(Shape.describe(s))"
        case let .noGradient(what):
            return "\(what) does not require a gradient (is it frozen?)"
        }
    }
}

/// Helpers on shapes (`[Int]`, row-major).
public enum Shape {
    /// The element count of a shape, or `Int.max` when it does not fit (a shape that came from input: check it
    /// with ``checkedCount(_:)``).
    @inline(__always) public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return shape.contains(0) ? 0 : .max }
            n = p
        }
        return n
    }

    /// Element counts this small are below every element limit a budget sets in practice (the smallest, a fuzz
    /// harness's, is 2^20); ``checkedCount(_:limit:)`` does not look the budget up for them.
    static let smallCount = 1 << 16

    /// The most the extents of a shape may multiply to when no element limit is in effect.
    public static let maxExtentProduct = 1 << 56

    /// The element count of a shape that comes from input (a script, a file). Throws for a negative dimension,
    /// more than ``Tensor/maxRank`` axes, or extents that multiply past `limit` (default: the element limit of the
    /// budget in effect, at most ``maxExtentProduct``). Zero extents are left out of that product, as numpy does:
    /// `[0, 1e10, 1e10]` holds nothing but is refused, so no kernel ever loops over, or multiplies out, extents
    /// larger than a tensor that fits the limit.
    public static func checkedCount(_ shape: [Int], limit: Int? = nil) throws -> Int {
        guard shape.count <= Tensor.maxRank else { throw TensorError.tooManyAxes(shape.count) }
        // One pass: a negative extent is an error wherever it sits, so the product stops growing after an overflow
        // but the walk goes on.
        var product = 1, empty = false, overflowed = false
        for d in shape {
            guard d > 0 else {
                if d < 0 { throw TensorError.invalidShape(shape) }
                empty = true
                continue
            }
            if overflowed { continue }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            if overflow { overflowed = true } else { product = p }
        }
        // A small shape that holds elements fits any budget's element limit (its storage is charged to the budget
        // when allocated), so the task-local budget is read only for large or empty shapes: tiny tensors are made
        // millions of times a second.
        if limit == nil, !empty, !overflowed, product <= smallCount { return product }
        let bound = Swift.min(limit ?? TensorContext.budget?.maxElements ?? maxExtentProduct, maxExtentProduct)
        guard !overflowed else { throw TensorError.shapeTooLarge(shape, limit: bound) }
        guard product <= bound else {
            throw empty ? TensorError.shapeTooLarge(shape, limit: bound) : TensorError.tooLarge(elements: product, limit: bound)
        }
        return empty ? 0 : product
    }

    /// `[2, 3]` as written in diagnostics.
    public static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// Row-major strides of a shape.
    public static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            let (p, overflow) = acc.multipliedReportingOverflow(by: shape[i])
            acc = overflow ? .max : p
        }
        return s
    }

    /// Normalises a possibly negative axis against a rank, or throws.
    @inline(__always) public static func axis(_ axis: Int, rank: Int, op: TensorOp) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else { throw TensorError.axisOutOfRange(op: op, axis: axis, rank: rank) }
        return a
    }

    /// Whether `shape` broadcasts to exactly `target` (numpy's rules: aligned on the right, each extent equal to the
    /// target's or 1), without building the broadcast shape.
    @inline(__always) public static func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
        let pad = target.count - shape.count
        guard pad >= 0 else { return false }
        for i in 0..<shape.count where shape[i] != target[i + pad] && shape[i] != 1 { return false }
        return true
    }

    /// Whether `shape`, broadcast to `target`, is the same block of elements repeated: `shape` without its leading
    /// 1s equals `target`'s trailing extents (a bias row over a batch, `[1, 3]` to `[4, 3]`), so element `o` of the
    /// broadcast is element `o % count` of `shape`.
    @inline(__always) public static func repeatsAlongLeadingAxes(_ shape: [Int], to target: [Int]) -> Bool {
        var lead = 0
        while lead < shape.count && shape[lead] == 1 { lead += 1 }
        let pad = target.count - shape.count
        guard pad >= 0 else { return false }
        for i in lead..<shape.count where shape[i] != target[i + pad] { return false }
        return true
    }

    /// The numpy broadcast of two shapes, or nil when they do not broadcast.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        if a == b { return a }
        let n = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }
}
