import Foundation

/// A copy of everything written to a console's output (a run record keeps what the script printed).
public final class OutputCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    /// An empty capture.
    public init() {}

    /// Adds `text`.
    public func append(_ text: String) {
        lock.lock()
        bytes += Array(text.utf8)
        lock.unlock()
    }

    /// Everything captured so far.
    public var data: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }
}

extension Console {
    /// This console, with its output also copied into `capture`.
    public func copyingOutput(to capture: OutputCapture) -> Console {
        let out = self.out
        return Console(out: { out($0); capture.append($0) }, err: err, color: color)
    }
}
