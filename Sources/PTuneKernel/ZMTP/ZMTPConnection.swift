import Foundation

/// One peer connected to a bound socket: the greeting and NULL handshake, then whole multipart messages in and
/// out. Writes that the peer is not ready for wait in a buffer until the descriptor is writable.
final class ZMTPConnection {
    /// Where the handshake is.
    enum Phase { case greeting, handshake, open }

    /// What reading produced.
    enum Received {
        /// A whole multipart message.
        case message([[UInt8]])
        /// A subscription (`true`) or its cancellation, from a SUB peer.
        case subscription(Bool, [UInt8])
    }

    let descriptor: Int32
    private(set) var phase = Phase.greeting
    private var reader = ZMTPFrameReader()
    private var parts: [[UInt8]] = []
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    /// The peer's socket type, once it said (`DEALER`, `SUB`, `REQ`).
    private(set) var peerType = ""
    /// Topic prefixes a SUB peer subscribed to.
    var subscriptions: [[UInt8]] = []
    /// Whether the peer closed or broke the connection.
    private(set) var isClosed = false

    /// A connection on an accepted descriptor, greeting the peer as a socket of `socketType` at once.
    init(descriptor: Int32, socketType: String) {
        self.descriptor = descriptor
        queue(ZMTPCodec.greeting + ZMTPCodec.ready(socketType: socketType))
    }

    /// Whether bytes wait to be written.
    var wantsWrite: Bool { outboundOffset < outbound.count }

    /// Queues a message (only once the handshake is done; before that the peer cannot be routed to anyway).
    func send(_ frames: [[UInt8]]) {
        guard !isClosed else { return }
        queue(ZMTPCodec.message(frames))
    }

    private func queue(_ bytes: [UInt8]) {
        if outboundOffset == outbound.count {
            outbound.removeAll(keepingCapacity: true)
            outboundOffset = 0
        }
        outbound += bytes
        flush()
    }

    /// Writes what the descriptor takes now.
    func flush() {
        while outboundOffset < outbound.count && !isClosed {
            let n = DescriptorIO.write(descriptor, outbound, from: outboundOffset, socket: true)
            if n > 0 { outboundOffset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            isClosed = true
        }
    }

    /// Reads what arrived and returns the messages and subscriptions it completes.
    func read() -> [Received] {
        var out: [Received] = []
        while !isClosed {
            guard let chunk = DescriptorIO.read(descriptor) else {
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                isClosed = true
                break
            }
            if chunk.isEmpty { isClosed = true } else { reader.feed(chunk) }
        }
        do {
            try process(into: &out)
        } catch {
            FileHandle.standardError.write(Data("ptune kernel: dropping a connection: \(error)\n".utf8))
            isClosed = true
        }
        return out
    }

    private func process(into out: inout [Received]) throws {
        if phase == .greeting {
            guard let greeting = reader.take(ZMTPCodec.greetingLength) else { return }
            try ZMTPCodec.checkGreeting(greeting)
            phase = .handshake
        }
        while let frame = try reader.next() {
            if frame.isCommand {
                let (name, data) = try ZMTPCodec.parseCommand(frame.body)
                switch name {
                case "READY":
                    peerType = String(decoding: try ZMTPCodec.properties(data)["socket-type"] ?? [], as: UTF8.self)
                    phase = .open
                case "ERROR":
                    isClosed = true
                case "SUBSCRIBE": out.append(.subscription(true, Array(data)))
                case "CANCEL": out.append(.subscription(false, Array(data)))
                case "PING":
                    // ZMTP 3.1 heartbeats: answer with the context the peer sent (after its 2-byte TTL).
                    queue(ZMTPCodec.commandFrame("PONG", Array(data.dropFirst(2))))
                default:
                    break
                }
                continue
            }
            guard phase == .open else { throw ZMTPCodec.Failure.badCommand }
            parts.append(frame.body)
            if frame.more { continue }
            let message = parts
            parts.removeAll()
            // A SUB peer of ZMTP 3.0 subscribes with a one-frame message: 1 (or 0 to cancel), then the topic.
            if peerType == "SUB" || peerType == "XSUB", message.count == 1, let flag = message[0].first, flag <= 1 {
                out.append(.subscription(flag == 1, Array(message[0].dropFirst())))
            } else {
                out.append(.message(message))
            }
        }
    }

    /// Closes the descriptor.
    func close() {
        isClosed = true
        _ = Glibc.close(descriptor)
    }
}
