import Foundation
import Synchronization

/// A budget for the memory that tensors may hold, installed for a scope with ``TensorContext/withBudget(_:_:)``.
/// Sizes are checked before allocating, so a gigantic request is a clear error and not an out-of-memory kill.
public final class MemoryBudget: Sendable {
    /// The largest element count of one tensor.
    public let maxElements: Int
    /// The most bytes all live tensors allocated under this budget may hold together.
    public let maxBytes: Int
    /// The most bytes one tensor may take.
    public let maxTensorBytes: Int
    private let live = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    /// Creates a budget of at most `maxElements` and `maxTensorBytes` per tensor and `maxBytes` in all.
    public init(maxElements: Int, maxBytes: Int, maxTensorBytes: Int = .max) {
        self.maxElements = maxElements
        self.maxBytes = maxBytes
        self.maxTensorBytes = maxTensorBytes
    }

    /// Bytes currently held by tensors allocated under this budget.
    public var liveBytes: Int { live.load(ordering: .relaxed) }
    /// The most bytes held at once so far.
    public var peakBytes: Int { peak.load(ordering: .relaxed) }
    /// Bytes that may still be allocated before the limit.
    public var available: Int { Swift.max(0, maxBytes - liveBytes) }

    func reserve(elements: Int, bytes: Int) throws {
        guard elements <= maxElements else { throw TensorError.tooLarge(elements: elements, limit: maxElements) }
        guard bytes <= maxTensorBytes else { throw TensorError.tooManyBytes(bytes: bytes, limit: maxTensorBytes) }
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

/// The fixed part of a ``TensorStorage``.
struct StorageHeader {
    var pointer: UnsafeMutableRawPointer
    let count: Int
    let dtype: DType
    let budget: MemoryBudget?
    let bytes: Int
    let ownsHeapBlock: Bool
}

/// Contiguous, row-major element storage shared copy-on-write between tensor values.
///
/// Small tensors keep their elements in the same allocation as the object (one `malloc` per tensor, which matters
/// for the per-step cost of tiny models); large ones get their own block from `malloc`, whose failure is an error
/// rather than a crash.
final class TensorStorage: ManagedBuffer<StorageHeader, Double>, @unchecked Sendable {
    /// Tensors up to this many bytes live inside the object.
    static let inlineLimit = 1 << 16

    /// Allocates uninitialised storage for `count` elements, or throws when the budget or the machine refuses.
    static func make(count: Int, dtype: DType) throws -> TensorStorage {
        guard count >= 0 else { throw TensorError.invalidShape([count]) }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes < (1 << 46) else { throw TensorError.tooLarge(elements: count, limit: (1 << 46) / dtype.byteSize) }
        let budget = TensorContext.budget
        try budget?.reserve(elements: count, bytes: bytes)
        if bytes <= inlineLimit {
            let words = (bytes + 7) / 8
            let object = create(minimumCapacity: words) { buffer in
                // A placeholder until the elements' address is known below; bit pattern 8 is non-zero, so this
                // optional is never nil (no input can reach a trap here).
                StorageHeader(pointer: UnsafeMutableRawPointer(bitPattern: 8)!, count: count, dtype: dtype, budget: budget,
                              bytes: bytes, ownsHeapBlock: false)
            }
            let storage = unsafeDowncast(object, to: TensorStorage.self)
            storage.header.pointer = storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
            return storage
        }
        _ = Allocator.tuned
        guard let p = malloc(bytes) else {
            budget?.release(bytes: bytes)
            throw TensorError.outOfMemory(requested: bytes, live: budget?.liveBytes ?? 0, limit: budget?.maxBytes ?? 0)
        }
        let object = create(minimumCapacity: 0) { _ in
            StorageHeader(pointer: p, count: count, dtype: dtype, budget: budget, bytes: bytes, ownsHeapBlock: true)
        }
        return unsafeDowncast(object, to: TensorStorage.self)
    }

    deinit {
        header.budget?.release(bytes: header.bytes)
        if header.ownsHeapBlock { free(header.pointer) }
    }

    @inline(__always) var pointer: UnsafeMutableRawPointer { header.pointer }
    @inline(__always) var count: Int { header.count }
    @inline(__always) var dtype: DType { header.dtype }
    @inline(__always) var bytes: Int { header.bytes }

    /// A typed view; the caller guarantees `T.dtype == dtype`.
    @inline(__always) func typed<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        pointer.assumingMemoryBound(to: T.self)
    }

    /// A new storage holding a copy of this one.
    func copy() throws -> TensorStorage {
        let s = try TensorStorage.make(count: count, dtype: dtype)
        s.pointer.copyMemory(from: pointer, byteCount: bytes)
        return s
    }
}
