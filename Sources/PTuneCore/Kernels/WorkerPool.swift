import Foundation
import Synchronization

/// The threads that parallel kernels and split matrix products run on: the calling thread plus `threads − 1`
/// workers that stay alive between calls.
///
/// A step of p-tuning is hundreds of short parallel regions (a product split in two, a GELU over 170k elements), each
/// tens of microseconds long. Workers that sleep between them (as `DispatchQueue.concurrentPerform`'s do) must be
/// woken through the kernel for every region, which on two cores cost a seventh of the step; so after a region a
/// worker spins (yielding the core to anything else runnable) for ``spinSeconds`` before it sleeps, as OpenMP's
/// workers do.
///
/// One region runs at a time: a call made while another is running — from another thread, or nested inside a
/// region's body — runs its parts on the calling thread, in order.
final class WorkerPool: @unchecked Sendable {
    /// The pool every kernel uses; its workers start on first use.
    static let shared = WorkerPool()

    /// How long an idle worker spins before sleeping.
    static let spinSeconds = 0.002

    /// The current region's ticket: generation (high 32 bits), part count (next 16) and next unclaimed part (low 16).
    private let ticket = Atomic<UInt64>(0)
    /// Parts of the current region not finished yet.
    private let remaining = Atomic<Int>(0)
    /// Whether a region is running.
    private let busy = Atomic<Bool>(false)
    /// Workers asleep on ``wake``.
    private let sleepers = Atomic<Int>(0)
    /// The current region's body; written only while no worker can claim a part (before the ticket is published,
    /// after every part has finished).
    private var body: ((Int) -> Void)? = nil
    private let wake = NSCondition()
    private let started = Mutex(0)

    private static let indexBits: UInt64 = 16
    private static let maxParts = (1 << 16) - 1

    /// Runs `body(i)` for every `i` in `0..<parts`, spread over `threads` threads (the caller's included), and
    /// returns when all are done.
    func run(_ parts: Int, threads: Int, _ body: (Int) -> Void) {
        guard parts > 1, threads > 1, parts <= Self.maxParts,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<parts { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        startWorkers(Swift.min(threads, parts) - 1)
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            remaining.store(parts, ordering: .relaxed)
            let generation = (ticket.load(ordering: .relaxed) >> 32) &+ 1
            ticket.store((generation << 32) | (UInt64(parts) << Self.indexBits), ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            work(generation: generation)
            while remaining.load(ordering: .acquiring) > 0 { spinPause() }
            self.body = nil
        }
    }

    /// Claims and runs parts of region `generation` until none is left.
    private func work(generation: UInt64) {
        var t = ticket.load(ordering: .acquiring)
        while t >> 32 == generation {
            let parts = (t >> Self.indexBits) & 0xFFFF, index = t & 0xFFFF
            guard index < parts else { return }
            let (exchanged, now) = ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                body?(Int(index))
                remaining.subtract(1, ordering: .releasing)
                t = ticket.load(ordering: .acquiring)
            } else {
                t = now
            }
        }
    }

    /// Starts workers until `count` are running.
    private func startWorkers(_ count: Int) {
        started.withLock { running in
            while running < count {
                running += 1
                let thread = Thread { [self] in workerLoop() }
                thread.name = "ptune-worker-\(running)"
                thread.start()
            }
        }
    }

    /// A worker: waits for a new region (spinning, then asleep), helps run it, and waits again.
    private func workerLoop() {
        var seen = ticket.load(ordering: .acquiring) >> 32
        while true {
            var deadline = 0.0, spins = 0
            while ticket.load(ordering: .acquiring) >> 32 == seen {
                spins += 1
                if spins & 63 == 0 {
                    let now = MonotonicClock.seconds()
                    if deadline == 0 { deadline = now + Self.spinSeconds } else if now > deadline { sleep(until: seen); deadline = 0 }
                }
                spinPause()
            }
            seen = ticket.load(ordering: .acquiring) >> 32
            work(generation: seen)
        }
    }

    /// Sleeps until the generation moves past `seen`.
    private func sleep(until seen: UInt64) {
        wake.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while ticket.load(ordering: .sequentiallyConsistent) >> 32 == seen { wake.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        wake.unlock()
    }

    @inline(__always) private func spinPause() { sched_yield() }
}
