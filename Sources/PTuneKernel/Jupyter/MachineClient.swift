import Foundation

/// The `ptune machine` process a kernel drives: started from the same binary in a process group of its own (so a
/// SIGINT meant for the kernel reaches it only as an interrupt request), fed requests on its standard input, read
/// event by event from its standard output. Its standard error is the kernel's.
final class MachineClient {
    let pid: pid_t
    private let input: Int32
    /// The descriptor to poll for events.
    let output: Int32
    private var buffer: [UInt8] = []
    /// Whether its output reached the end (the process ended).
    private(set) var ended = false

    /// Why the process could not start.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `executable machine arguments…` in the working directory.
    init(executable: String, arguments: [String]) throws {
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw StartFailure(description: "cannot make pipes: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO)
        for fd in toChild + fromChild { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group; the default signal dispositions (the kernel ignores SIGPIPE).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))
        let argv = [executable, "machine"] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, &cArgs, environ)
        _ = close(toChild[0])
        _ = close(fromChild[1])
        guard status == 0 else {
            _ = close(toChild[1])
            _ = close(fromChild[0])
            throw StartFailure(description: "cannot start '\(executable) machine': \(String(cString: strerror(status)))")
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
        _ = fcntl(input, F_SETFD, FD_CLOEXEC)
        _ = fcntl(output, F_SETFD, FD_CLOEXEC)
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
    }

    /// Sends a request line. Returns false when the process no longer reads.
    @discardableResult
    func send(_ request: MachineRequest) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(request) else { return false }
        return DescriptorIO.writeAll(input, Array(data) + [0x0A], socket: false)
    }

    /// Reads what the process wrote and returns the events it completes; lines that are not events are reported
    /// on standard error.
    func receive() -> [MachineEvent] {
        // Until the pipe is empty (EAGAIN: nil) or at its end (the process ended).
        while let chunk = DescriptorIO.read(output) {
            guard !chunk.isEmpty else {
                ended = true
                break
            }
            buffer += chunk
        }
        var events: [MachineEvent] = []
        var start = 0
        let decoder = JSONDecoder()
        while let newline = buffer[start...].firstIndex(of: 0x0A) {
            let line = buffer[start..<newline]
            start = newline + 1
            guard !line.isEmpty else { continue }
            do { events.append(try decoder.decode(MachineEvent.self, from: Data(line))) } catch {
                FileHandle.standardError.write(Data("ptune kernel: unreadable line from the session: \(String(decoding: line.prefix(200), as: UTF8.self))\n".utf8))
            }
        }
        buffer.removeFirst(start)
        return events
    }

    /// Asks the process to stop, waits up to `grace` seconds for it, then kills it; returns how it ended.
    @discardableResult
    func stop(grace: Double = 2) -> String {
        send(.shutdown)
        _ = close(input)
        let deadline = Date().addingTimeInterval(grace)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return MachineClient.describe(status) }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return MachineClient.describe(status)
    }

    /// Collects the ended process; returns how it ended.
    func reap() -> String {
        var status: Int32 = 0
        _ = close(input)
        if waitpid(pid, &status, WNOHANG) != pid {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        _ = close(output)
        return MachineClient.describe(status)
    }

    /// `exit status 1`, `signal 9`.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        return signal == 0 ? "exit status \((status >> 8) & 0xFF)" : "signal \(signal)"
    }
}
