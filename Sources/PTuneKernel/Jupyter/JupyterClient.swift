import Foundation

/// A small Jupyter client over one connection to a kernel's shell (or control) socket: ZMTP as a DEALER, signed
/// requests, replies read whole. The benchmark uses it to time a kernel from its start to its first answer without
/// any other client's start-up in the figure.
public final class JupyterClient {
    private let descriptor: Int32
    private var reader = ZMTPFrameReader()
    private let wire: JupyterWire

    /// Why a request got no answer.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Connects to `port` on 127.0.0.1, retrying every millisecond until `deadline` (the kernel may not be
    /// listening yet), and performs the ZMTP handshake. `key` signs requests.
    public init(port: Int, key: String, deadline: Date) throws {
        wire = JupyterWire(signer: key.isEmpty ? nil : HMACSHA256(key: Array(key.utf8)), session: UUID().uuidString.lowercased())
        var fd: Int32 = -1
        while true {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "cannot create a socket") }
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            a.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            let ok = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if ok == 0 { break }
            _ = close(fd)
            guard Date() < deadline else { throw Failure(description: "nothing listens on port \(port)") }
            usleep(1000)
        }
        descriptor = fd
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        try write(ZMTPCodec.greeting + ZMTPCodec.ready(socketType: "DEALER"))
        while reader.take(ZMTPCodec.greetingLength) == nil { try receive() }
        while true {
            guard let frame = try reader.next() else { try receive(); continue }
            if frame.isCommand, (try? ZMTPCodec.parseCommand(frame.body))?.name == "READY" { break }
        }
    }

    deinit { _ = close(descriptor) }

    /// Sends a `type` request with `content` (a JSON object's text) and returns the reply's content as JSON text.
    public func request(_ type: String, content: String) throws -> String {
        try write(ZMTPCodec.message(wire.frames(type, json: Array(content.utf8), parent: nil, identities: [])))
        var parts: [[UInt8]] = []
        while true {
            guard let frame = try reader.next() else { try receive(); continue }
            if frame.isCommand { continue }
            parts.append(frame.body)
            if frame.more { continue }
            let reply: JupyterMessage
            do { reply = try JupyterMessage(frames: parts, signer: wire.signer) } catch { throw Failure(description: "bad reply: \(error)") }
            parts.removeAll()
            if reply.header.msgType == type.replacingOccurrences(of: "_request", with: "_reply") {
                return String(decoding: reply.content, as: UTF8.self)
            }
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        guard DescriptorIO.writeAll(descriptor, bytes, socket: true) else { throw Failure(description: "the kernel closed the connection") }
    }

    private func receive() throws {
        guard let chunk = DescriptorIO.read(descriptor), !chunk.isEmpty else { throw Failure(description: "the kernel closed the connection") }
        reader.feed(chunk)
    }
}
