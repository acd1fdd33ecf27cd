import Foundation
import Synchronization

/// A budget for the memory that tensors may hold, installed for a scope with ``TensorContext/withBudget(_:_:)``.
/// Sizes are checked before allocating, so a gigantic request is a clear error and not an out-of-memory kill.
public final class MemoryBudget: Sendable {
    /// The largest element count of one tensor.
    public let maxElements: Int
    /// The most bytes all live tensors allocated under this budget may hold together.
    public let maxBytes: Int
    private let live = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    /// Creates a budget of at most `maxElements` per tensor and `maxBytes` in all.
    public init(maxElements: Int, maxBytes: Int) {
        self.maxElements = maxElements
        self.maxBytes = maxBytes
    }

    /// Bytes currently held by tensors allocated under this budget.
    public var liveBytes: Int { live.load(ordering: .relaxed) }
    /// The most bytes held at once so far.
    public var peakBytes: Int { peak.load(ordering: .relaxed) }

    func reserve(elements: Int, bytes: Int) throws {
        guard elements <= maxElements else { throw TensorError.tooLarge(elements: elements, limit: maxElements) }
        let now = live.add(bytes, ordering: .relaxed).newValue
        if now > maxBytes {
            live.subtract(bytes, ordering: .relaxed)
            throw TensorError.outOfMemory(requested: bytes, live: now - bytes, limit: maxBytes)
        }
        var p = peak.load(ordering: .relaxed)
        while now > p {
            let (exchanged, original) = peak.compareExchange(expected: p, desired: now, ordering: .relaxed)
            if exchanged { break }
            p = original
        }
    }

    func release(bytes: Int) { live.subtract(bytes, ordering: .relaxed) }
}

/// Scoped settings for tensor operations (task-local: no global mutable state).
public enum TensorContext {
    /// The memory budget new tensors are charged to; nil means only the machine's limit.
    @TaskLocal public static var budget: MemoryBudget?
    /// Whether operations on tensors that require gradients record them for backpropagation.
    @TaskLocal public static var isRecording: Bool = true

    /// Runs `body` with `budget` charged for every tensor allocated inside it.
    public static func withBudget<R>(_ budget: MemoryBudget?, _ body: () throws -> R) rethrows -> R {
        try $budget.withValue(budget, operation: body)
    }
}

/// Contiguous, row-major element storage shared copy-on-write between tensor values.
final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int
    let dtype: DType
    let budget: MemoryBudget?
    let bytes: Int

    /// Allocates uninitialised storage for `count` elements, or throws when the budget or the machine refuses.
    init(count: Int, dtype: DType) throws {
        guard count >= 0 else { throw TensorError.invalidShape([count]) }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes < (1 << 46) else { throw TensorError.tooLarge(elements: count, limit: (1 << 46) / dtype.byteSize) }
        let budget = TensorContext.budget
        try budget?.reserve(elements: count, bytes: bytes)
        guard let p = malloc(Swift.max(bytes, 16)) else {
            budget?.release(bytes: bytes)
            throw TensorError.outOfMemory(requested: bytes, live: budget?.liveBytes ?? 0, limit: budget?.maxBytes ?? 0)
        }
        self.pointer = p
        self.count = count
        self.dtype = dtype
        self.budget = budget
        self.bytes = bytes
    }

    deinit {
        budget?.release(bytes: bytes)
        free(pointer)
    }

    /// A typed view; the caller guarantees `T.dtype == dtype`.
    @inline(__always) func typed<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        pointer.assumingMemoryBound(to: T.self)
    }

    /// A new storage holding a copy of this one.
    func copy() throws -> TensorStorage {
        let s = try TensorStorage(count: count, dtype: dtype)
        s.pointer.copyMemory(from: pointer, byteCount: bytes)
        return s
    }
}
