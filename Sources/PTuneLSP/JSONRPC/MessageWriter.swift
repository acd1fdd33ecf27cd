import Foundation
import PTuneCore

/// Writes messages of the base protocol (`Content-Length: N\r\n\r\n` then N bytes of JSON) to a file descriptor.
final class MessageWriter {
    private let write: ([UInt8]) -> Void

    /// A writer to file descriptor `fd`.
    convenience init(fileDescriptor fd: Int32) {
        self.init { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }

    /// A writer handing each framed message to `write`.
    init(write: @escaping ([UInt8]) -> Void) {
        self.write = write
    }

    /// Sends one message.
    func send(_ message: JSONValue) {
        let body = message.serializedBytes()
        write(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    /// Answers request `id` with `result`.
    func respond(_ id: RequestID?, result: JSONValue) {
        send(.object(["jsonrpc": .string("2.0"), "id": id?.json ?? .null, "result": result]))
    }

    /// Answers request `id` (nil: a message whose id could not be read) with an error.
    func respond(_ id: RequestID?, error: ResponseError) {
        send(.object(["jsonrpc": .string("2.0"), "id": id?.json ?? .null, "error": error.json]))
    }

    /// Sends a notification.
    func notify(_ method: String, _ params: JSONValue) {
        send(.object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params]))
    }
}
