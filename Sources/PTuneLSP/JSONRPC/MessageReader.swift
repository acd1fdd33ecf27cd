import Foundation

/// Reads the messages of the base protocol from a file descriptor: each is a header (`Content-Length: N`, other
/// fields ignored, lines ending in `\r\n`) and a blank line, then N bytes of JSON. A malformed header is reported
/// and reading goes on at the next `Content-Length` found, so one bad message never stops the server.
final class MessageReader {
    /// What the next read found.
    enum Frame: Equatable {
        /// A message body.
        case body([UInt8])
        /// A header that cannot be read, or a message too large to take; the reader skipped it.
        case malformed(String)
        /// The input ended.
        case end
    }

    /// The largest message body accepted (a larger one is skipped and reported).
    static let maxBodyBytes = 64 << 20
    /// The longest header line accepted.
    static let maxHeaderLine = 8 << 10

    private let read: (UnsafeMutableRawPointer, Int) -> Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false

    /// A reader of file descriptor `fd`.
    convenience init(fileDescriptor fd: Int32) {
        self.init { pointer, count in
            while true {
                let n = Glibc.read(fd, pointer, count)
                if n < 0 && errno == EINTR { continue }
                return n
            }
        }
    }

    /// A reader calling `read(buffer, capacity)` for more bytes (0 or less: the end).
    init(read: @escaping (UnsafeMutableRawPointer, Int) -> Int) {
        self.read = read
    }

    /// The next message, a malformed one, or the end of the input.
    func next() -> Frame {
        var length: Int?
        var sawField = false
        while true {
            guard let line = headerLine() else {
                return sawField ? .malformed("the input ended inside a message header") : .end
            }
            guard let line else {
                resync()
                return .malformed("a header line longer than \(MessageReader.maxHeaderLine) bytes")
            }
            if line.isEmpty {
                if sawField { break }
                continue
            }
            sawField = true
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                resync()
                return .malformed("a header line without ':' (\(MessageReader.quoted(line)))")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "content-length" {
                guard let n = Int(value), n >= 0 else {
                    resync()
                    return .malformed("a Content-Length that is not a byte count ('\(value)')")
                }
                length = n
            }
        }
        guard let length else {
            resync()
            return .malformed("a message header without Content-Length")
        }
        guard length <= MessageReader.maxBodyBytes else {
            skip(length)
            return .malformed("a message of \(length) bytes (the most is \(MessageReader.maxBodyBytes))")
        }
        guard let body = bytes(length) else { return .malformed("the input ended inside a message of \(length) bytes") }
        return .body(body)
    }

    // MARK: - Buffering

    /// Reads more input into the buffer; false at the end.
    private func fill() -> Bool {
        guard !ended else { return false }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = chunk.withUnsafeMutableBytes { read($0.baseAddress!, $0.count) }
        guard n > 0 else {
            ended = true
            return false
        }
        buffer += chunk[..<n]
        return true
    }

    /// The next header line without its line break; nil at the end of the input; `.some(nil)` for a line too long.
    private func headerLine() -> [UInt8]?? {
        var scanned = 0
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[start..<end])
                start = newline + 1
                return .some(line)
            }
            scanned = buffer.count - start
            if scanned > MessageReader.maxHeaderLine { return .some(nil) }
            guard fill() else { return nil }
        }
    }

    /// The next `count` bytes, or nil when the input ends first.
    private func bytes(_ count: Int) -> [UInt8]? {
        while buffer.count - start < count {
            guard fill() else { return nil }
        }
        let out = Array(buffer[start..<(start + count)])
        start += count
        return out
    }

    /// Skips `count` bytes (a message too large to keep).
    private func skip(_ count: Int) {
        var left = count
        while left > 0 {
            if start >= buffer.count { guard fill() else { return } }
            let n = Swift.min(left, buffer.count - start)
            start += n
            left -= n
        }
    }

    /// Skips to the next `Content-Length` field (after a header that could not be read, the body's length is
    /// unknown).
    private func resync() {
        let key = Array("content-length".utf8)
        while true {
            var i = start
            while i + key.count <= buffer.count {
                if MessageReader.matches(key, buffer, at: i) {
                    start = i
                    return
                }
                i += 1
            }
            start = Swift.max(start, buffer.count - key.count + 1)
            guard fill() else {
                start = buffer.count
                return
            }
        }
    }

    private static func matches(_ key: [UInt8], _ bytes: [UInt8], at i: Int) -> Bool {
        for (k, c) in key.enumerated() where bytes[i + k] | 0x20 != c { return false }
        return true
    }

    private static func quoted(_ line: [UInt8]) -> String {
        let text = String(decoding: line.prefix(40), as: UTF8.self)
        return line.count > 40 ? text + "…" : text
    }
}
