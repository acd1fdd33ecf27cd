import Foundation

/// A program running in a detached tmux session on a private server: the test types keys into a real terminal
/// (so readline is active) and reads the screen back.
final class Tmux {
    /// Why driving tmux failed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: String
    private let session = "ptune"

    /// Starts `command` (a shell command line) in a `width` × `height` terminal with `environment` added.
    init(command: String, environment: [String: String], width: Int = 110, height: Int = 40) throws {
        socket = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-tmux-\(UUID().uuidString)").path
        let exports = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Tmux.quote($0.value))" }.joined(separator: " ")
        try tmux(["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height),
                  "env \(exports) \(command); echo '[exited '$?']'; sleep 30"])
    }

    deinit { _ = try? tmux(["kill-server"]) }

    /// Whether tmux is installed.
    static var isAvailable: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Types `text` literally.
    func type(_ text: String) throws { try tmux(["send-keys", "-t", session, "-l", text]) }

    /// Presses named keys (`Enter`, `Tab`, `Up`, `C-c`, `C-d`).
    func press(_ keys: String...) throws { try tmux(["send-keys", "-t", session] + keys) }

    /// The screen's text now.
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    /// Waits until the screen satisfies `condition` (up to `timeout` seconds); returns the screen, or throws with it.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(50_000)
        }
        throw Failure(description: "timed out waiting for \(what); the screen was:\n\(last)")
    }

    /// Waits until `text` appears `count` times on the screen.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: Double = 20) throws -> String {
        try waitFor("'\(text)' ×\(count)", timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-S", socket] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if process.terminationStatus != 0 && arguments.first != "kill-server" {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// `s` single-quoted for the shell.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
