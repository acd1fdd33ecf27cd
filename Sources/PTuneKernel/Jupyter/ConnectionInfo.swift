import Foundation

/// A Jupyter connection file: where the kernel binds its five sockets and the key that signs messages.
struct ConnectionInfo: Decodable, Equatable {
    var transport: String
    var ip: String
    var shellPort: Int
    var iopubPort: Int
    var stdinPort: Int
    var controlPort: Int
    var hbPort: Int
    var key: String
    var signatureScheme: String

    private enum CodingKeys: String, CodingKey {
        case transport, ip, key
        case shellPort = "shell_port", iopubPort = "iopub_port", stdinPort = "stdin_port"
        case controlPort = "control_port", hbPort = "hb_port", signatureScheme = "signature_scheme"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transport = try c.decodeIfPresent(String.self, forKey: .transport) ?? "tcp"
        ip = try c.decodeIfPresent(String.self, forKey: .ip) ?? "127.0.0.1"
        shellPort = try c.decode(Int.self, forKey: .shellPort)
        iopubPort = try c.decode(Int.self, forKey: .iopubPort)
        stdinPort = try c.decode(Int.self, forKey: .stdinPort)
        controlPort = try c.decode(Int.self, forKey: .controlPort)
        hbPort = try c.decode(Int.self, forKey: .hbPort)
        key = try c.decodeIfPresent(String.self, forKey: .key) ?? ""
        signatureScheme = try c.decodeIfPresent(String.self, forKey: .signatureScheme) ?? "hmac-sha256"
    }

    /// Why a connection file cannot be used.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads the connection file at `path`.
    static func read(_ path: String) throws -> ConnectionInfo {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(description: "cannot read the connection file '\(path)'") }
        let info: ConnectionInfo
        do { info = try JSONDecoder().decode(ConnectionInfo.self, from: data) } catch {
            throw Problem(description: "the connection file '\(path)' is not one Jupyter writes: \(error)")
        }
        guard info.signatureScheme == "hmac-sha256" || info.key.isEmpty else {
            throw Problem(description: "signature scheme '\(info.signatureScheme)' is not supported (hmac-sha256 is)")
        }
        guard info.transport == "tcp" || info.transport == "ipc" else {
            throw Problem(description: "transport '\(info.transport)' is not supported (tcp and ipc are)")
        }
        return info
    }

    /// The address of the socket on `port`.
    func address(_ port: Int) -> ZMTPAddress {
        transport == "ipc" ? .ipc(path: "\(ip)-\(port)") : .tcp(host: ip, port: port)
    }
}
