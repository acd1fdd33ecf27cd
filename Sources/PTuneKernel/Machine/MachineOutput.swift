import Foundation
import Synchronization

/// Writes machine events as JSON lines to a file descriptor (standard output), one whole line per write, from any
/// thread. A failed write means the reader is gone: `onClosed` runs once.
final class MachineOutput: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(false)
    private let onClosed: @Sendable () -> Void

    /// An output on `descriptor`; `onClosed` runs when a write fails.
    init(descriptor: Int32 = STDOUT_FILENO, onClosed: @escaping @Sendable () -> Void = {}) {
        self.descriptor = descriptor
        self.onClosed = onClosed
    }

    /// Writes `event` as one line.
    func emit(_ event: MachineEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(event) else { return }
        lock.withLock { closed in
            guard !closed else { return }
            let ok = DescriptorIO.writeAll(descriptor, Array(data) + [0x0A], socket: false)
            if !ok {
                closed = true
                onClosed()
            }
        }
    }
}
