import Foundation

/// Where a socket binds: a TCP address (IPv4 or IPv6) and port, or a Unix socket path (Jupyter's `ipc`
/// transport names it `IP-PORT`).
enum ZMTPAddress: Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case ipc(path: String)

    var description: String {
        switch self {
        case let .tcp(host, port): return "tcp://\(host):\(port)"
        case let .ipc(path): return "ipc://\(path)"
        }
    }

    /// A listening, non-blocking, close-on-exec descriptor bound to the address.
    func listen() throws -> Int32 {
        switch self {
        case let .tcp(host, port):
            guard (1...65_535).contains(port) else { throw ZMTPSocket.BindError(description: "bad port \(port) for \(self)") }
            let any = host == "*" || host.isEmpty
            var v4 = in_addr(), v6 = in6_addr()
            if any || inet_pton(AF_INET, host, &v4) == 1 {
                var a = sockaddr_in()
                a.sin_family = sa_family_t(AF_INET)
                a.sin_port = in_port_t(UInt16(port).bigEndian)
                a.sin_addr = any ? in_addr(s_addr: INADDR_ANY) : v4
                return try bindAndListen(family: AF_INET) { fd in
                    withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                }
            }
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            guard inet_pton(AF_INET6, bare, &v6) == 1 else { throw ZMTPSocket.BindError(description: "cannot read the address '\(host)'") }
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = in_port_t(UInt16(port).bigEndian)
            a.sin6_addr = v6
            return try bindAndListen(family: AF_INET6) { fd in
                withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            }
        case let .ipc(path):
            var a = sockaddr_un()
            a.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: a.sun_path)
            guard bytes.count < capacity else { throw ZMTPSocket.BindError(description: "the socket path '\(path)' is too long") }
            withUnsafeMutableBytes(of: &a.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
                raw[bytes.count] = 0
            }
            unlink(path)
            return try bindAndListen(family: AF_UNIX) { fd in
                withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            }
        }
    }

    private func bindAndListen(family: Int32, _ bindTo: (Int32) -> Int32) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ZMTPSocket.BindError(description: "cannot create a socket for \(self): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        if family != AF_UNIX { _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        guard bindTo(fd) == 0, Glibc.listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            _ = close(fd)
            throw ZMTPSocket.BindError(description: "cannot bind \(self): \(why)")
        }
        return fd
    }
}
