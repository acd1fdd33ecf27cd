import Foundation

/// A bound ZeroMQ socket of one of the types a Jupyter kernel binds — ROUTER (shell, control, stdin), PUB (iopub)
/// or REP (heartbeat) — over TCP or a Unix socket: it accepts peers, reads their messages, and sends replies to
/// one peer or publishes to every subscriber whose subscription the topic starts with.
final class ZMTPSocket {
    /// The socket types a kernel binds.
    enum Kind: String {
        case router = "ROUTER", pub = "PUB", rep = "REP"
    }

    /// Why binding failed.
    struct BindError: Error, CustomStringConvertible {
        let description: String
    }

    let kind: Kind
    let listener: Int32
    private(set) var connections: [Int32: ZMTPConnection] = [:]

    /// Binds `address` (`tcp://127.0.0.1:5555` or `ipc:///tmp/kernel-1`).
    init(_ kind: Kind, address: ZMTPAddress) throws {
        self.kind = kind
        listener = try address.listen()
    }

    /// The descriptors to poll and the events wanted on each.
    var pollDescriptors: [pollfd] {
        [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            + connections.values.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN) | ($0.wantsWrite ? Int16(POLLOUT) : 0), revents: 0) }
    }

    /// Whether `fd` is this socket's.
    func owns(_ fd: Int32) -> Bool { fd == listener || connections[fd] != nil }

    /// Handles readiness of `fd`; returns the messages that arrived, with the connection each came from.
    func handle(_ fd: Int32, events: Int16) -> [(from: Int32, frames: [[UInt8]])] {
        if fd == listener {
            accept()
            return []
        }
        guard let c = connections[fd] else { return [] }
        if events & Int16(POLLOUT) != 0 { c.flush() }
        var messages: [(from: Int32, frames: [[UInt8]])] = []
        if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            for received in c.read() {
                switch received {
                case .message(let frames):
                    messages.append((fd, frames))
                case .subscription(let on, let topic):
                    if on { c.subscriptions.append(topic) } else if let i = c.subscriptions.firstIndex(of: topic) { c.subscriptions.remove(at: i) }
                }
            }
        }
        if c.isClosed {
            c.close()
            connections[fd] = nil
        }
        return messages
    }

    private func accept() {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections[fd] = ZMTPConnection(descriptor: fd, socketType: kind.rawValue)
        }
    }

    /// Sends a message to the peer on connection `fd` (a ROUTER's or REP's reply).
    func send(_ frames: [[UInt8]], to fd: Int32) {
        connections[fd]?.send(frames)
    }

    /// Publishes a message to every peer subscribed to a prefix of its first frame (PUB).
    func publish(_ frames: [[UInt8]]) {
        let topic = frames.first ?? []
        for c in connections.values where c.phase == .open && c.subscriptions.contains(where: { topic.starts(with: $0) }) {
            c.send(frames)
        }
    }

    /// Closes every connection and the listener.
    func close() {
        for c in connections.values { c.close() }
        connections.removeAll()
        _ = Glibc.close(listener)
    }
}
