import Synchronization

/// The memory accountant of a running script (`--max-memory`), installed for a scope with
/// ``TensorContext/withBudget(_:_:)``. It holds the bytes of every live tensor allocated under it and of everything
/// else a script can grow — lists, records, strings kept in them, the training history, the autodiff graph (each
/// tensor storage and each recorded operation is charged a fixed overhead beside its elements) — and refuses growth
/// past the limit with an error naming what grew. Sizes are checked before allocating, so a gigantic request is a
/// clear error and not an out-of-memory kill.
///
/// Code that makes something a script can grow charges it here: ``charge(_:for:)`` before making it (refused past
/// the limit) and ``release(charged:)`` when it goes, or ``ensureRoom(_:for:)`` for something made and dropped in
/// one step (a string being built).
public final class MemoryBudget: Sendable {
    /// The largest element count of one tensor.
    public let maxElements: Int
    /// The most bytes everything charged to this budget may hold together.
    public let maxBytes: Int
    /// The most bytes one tensor may take.
    public let maxTensorBytes: Int
    private let live = Atomic<Int>(0)
    private let other = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    /// What one tensor storage costs beyond its elements (the object, its header, the allocator's bookkeeping).
    public static let storageOverhead = 64
    /// What one recorded operation of the autodiff graph costs (its node, its backward closure).
    public static let nodeOverhead = 160

    /// Creates a budget of at most `maxElements` and `maxTensorBytes` per tensor and `maxBytes` in all.
    public init(maxElements: Int, maxBytes: Int, maxTensorBytes: Int = .max) {
        self.maxElements = maxElements
        self.maxBytes = maxBytes
        self.maxTensorBytes = maxTensorBytes
        baseline = ResidentMemory.bytes() ?? 0
    }

    /// The process's resident memory when the budget was made: growth past it counts as held (see ``ensureRoom(_:for:)``).
    private let baseline: Int

    /// Bytes of elements currently held by tensors allocated under this budget.
    public var liveBytes: Int { live.load(ordering: .relaxed) }
    /// Bytes currently charged for everything else (values, history, graph, tensor overheads).
    public var otherBytes: Int { other.load(ordering: .relaxed) }
    /// Everything held: ``liveBytes`` + ``otherBytes``.
    public var heldBytes: Int { liveBytes + otherBytes }
    /// The most bytes held at once so far.
    public var peakBytes: Int { peak.load(ordering: .relaxed) }
    /// Bytes that may still be charged before the limit.
    public var available: Int { Swift.max(0, maxBytes - heldBytes) }

    func reserve(elements: Int, bytes: Int) throws {
        guard elements <= maxElements else { throw TensorError.tooLarge(elements: elements, limit: maxElements) }
        guard bytes <= maxTensorBytes else { throw TensorError.tooManyBytes(bytes: bytes, limit: maxTensorBytes) }
        let now = live.add(bytes, ordering: .relaxed).newValue
        let held = now + otherBytes
        if held > maxBytes {
            live.subtract(bytes, ordering: .relaxed)
            throw TensorError.outOfMemory(requested: bytes, live: held - bytes, limit: maxBytes)
        }
        notePeak(held)
    }

    func release(bytes: Int) { live.subtract(bytes, ordering: .relaxed) }

    /// Charges `bytes` for `what` (a lowercase phrase: "a list of 1000000 items"), or throws
    /// ``TensorError/memoryLimit(what:bytes:held:limit:)`` when that would pass the limit.
    public func charge(_ bytes: Int, for what: @autoclosure () -> String) throws {
        let now = other.add(bytes, ordering: .relaxed).newValue
        let held = now + liveBytes
        if held > maxBytes || bytes < 0 {
            other.subtract(bytes, ordering: .relaxed)
            throw TensorError.memoryLimit(what: what(), bytes: bytes, held: held - bytes, limit: maxBytes)
        }
        notePeak(held)
    }

    /// Charges `bytes` without a check (overheads of something already made; the next check sees them).
    public func charge(unchecked bytes: Int) {
        notePeak(other.add(bytes, ordering: .relaxed).newValue + liveBytes)
    }

    /// Gives back bytes charged with ``charge(_:for:)`` or ``charge(unchecked:)``.
    public func release(charged bytes: Int) { other.subtract(bytes, ordering: .relaxed) }

    /// Throws when `bytes` more for `what` would pass the limit; charges nothing (for something made and dropped
    /// in one step, or growing inside a structure charged later).
    ///
    /// For a megabyte or more, what the process really grew since the budget was made counts as held when it is more
    /// than what was charged: strings kept in variables are not charged one by one, and this bounds them too.
    public func ensureRoom(_ bytes: Int, for what: @autoclosure () -> String) throws {
        var held = heldBytes
        if bytes >= 1 << 20, let resident = ResidentMemory.bytes() { held = Swift.max(held, resident - baseline) }
        if bytes > maxBytes - held || bytes < 0 {
            throw TensorError.memoryLimit(what: what(), bytes: bytes, held: held, limit: maxBytes)
        }
    }

    private func notePeak(_ now: Int) {
        var p = peak.load(ordering: .relaxed)
        while now > p {
            let (exchanged, original) = peak.compareExchange(expected: p, desired: now, ordering: .relaxed)
            if exchanged { break }
            p = original
        }
    }
}
