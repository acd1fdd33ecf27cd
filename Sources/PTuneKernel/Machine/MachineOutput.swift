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
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0A)
        lock.withLock { closed in
            guard !closed else { return }
            let ok = data.withUnsafeBytes { raw -> Bool in
                var offset = 0
                while offset < raw.count {
                    let n = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return false }
                    offset += n
                }
                return true
            }
            if !ok {
                closed = true
                onClosed()
            }
        }
    }
}
