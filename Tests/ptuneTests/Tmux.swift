import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    deinit {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: socket)
    }

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

    /// Runs `tmux -S socket arguments…` and returns its output. Spawned with `posix_spawn` and reaped with
    /// `waitpid`, output through a file: Foundation's `Process` watches for the end of a child through a descriptor
    /// the child inherits, and the tmux server that `new-session` starts keeps it open, so it would wait forever.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let outPath = socket + ".out"
        let argv = ["tmux", "-S", socket] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The server and ptune start with default signal handling and nothing blocked, as from a login shell.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, &attributes, &cArgs, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start tmux: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outPath)
        let exitedOK = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
        if !exitedOK && arguments.first != "kill-server" {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// `s` single-quoted for the shell.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
