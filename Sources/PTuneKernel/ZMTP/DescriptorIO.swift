import Foundation

/// Reads and writes on file descriptors — pipes to the session process, sockets to Jupyter — retried after
/// interruptions. Sockets are written with `MSG_NOSIGNAL`, so a peer that went away is an error, not a SIGPIPE.
enum DescriptorIO {
    /// One write of `bytes[offset...]`: the count written, or -1 with `errno` set.
    static func write(_ fd: Int32, _ bytes: [UInt8], from offset: Int, socket: Bool) -> Int {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, offset < raw.count else { return 0 }
            while true {
                let n = socket ? Glibc.send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    : Glibc.write(fd, base + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                return n
            }
        }
    }

    /// Writes all of `bytes`, waiting as long as it takes; false when the descriptor no longer takes them.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], socket: Bool) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes, from: offset, socket: socket)
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// One read of up to `capacity` bytes: what arrived (empty at the end of input), or nil with `errno` set.
    static func read(_ fd: Int32, capacity: Int = 65_536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: capacity)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.read(fd, base, raw.count)
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            buffer.removeSubrange(n...)
            return buffer
        }
    }
}
