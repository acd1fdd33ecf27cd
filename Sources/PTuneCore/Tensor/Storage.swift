import Foundation
import Synchronization

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
        let budget = TensorContext.budget
        // The budget's limits first, so an error names the limit in effect.
        if let budget, count > budget.maxElements { throw TensorError.tooLarge(elements: count, limit: budget.maxElements) }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes < (1 << 46) else { throw TensorError.tooLarge(elements: count, limit: (1 << 46) / dtype.byteSize) }
        try budget?.reserve(elements: count, bytes: bytes)
        budget?.charge(unchecked: MemoryBudget.storageOverhead)
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
            budget?.release(charged: MemoryBudget.storageOverhead)
            throw TensorError.outOfMemory(requested: bytes, live: budget?.liveBytes ?? 0, limit: budget?.maxBytes ?? 0)
        }
        let object = create(minimumCapacity: 0) { _ in
            StorageHeader(pointer: p, count: count, dtype: dtype, budget: budget, bytes: bytes, ownsHeapBlock: true)
        }
        return unsafeDowncast(object, to: TensorStorage.self)
    }

    deinit {
        header.budget?.release(bytes: header.bytes)
        header.budget?.release(charged: MemoryBudget.storageOverhead)
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
