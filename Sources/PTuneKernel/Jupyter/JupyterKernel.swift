import Foundation
import PTuneREPL
import PTuneRun

/// A Jupyter kernel for ptune: it binds the five sockets of a connection file (ZMTP over TCP or Unix sockets, every
/// message signed with HMAC-SHA256), keeps one ptune session per notebook in a `ptune machine` process it starts
/// from its own binary, and translates between the two: cells, completion, inspection and interrupts one way;
/// streams, MIME bundles, progress displays and located errors the other. It answers `kernel_info` itself, so a
/// notebook connects before the session has started; shell requests reach the session one at a time, as Jupyter
/// expects.
public final class JupyterKernel {
    /// A shell request waiting for, or being answered by, the session.
    struct Pending {
        let message: JupyterMessage
        let connection: Int32
        let type: JupyterRequest
    }

    /// The request the session is answering.
    struct InFlight {
        let pending: Pending
        let id: String
        var silent = false
        var stopOnError = true
        var count = 0
        var error: MachineError?
    }

    let wire: JupyterWire
    let signer: HMACSHA256?
    let shell: ZMTPSocket
    let control: ZMTPSocket
    let stdin: ZMTPSocket
    let iopub: ZMTPSocket
    let heartbeat: ZMTPSocket
    let executable: String
    let machineArguments: [String]
    var machine: MachineClient
    var queue: [Pending] = []
    var current: InFlight?
    var executionCount = 0
    var requests = 0
    var running = true
    /// Message types received that the kernel does not answer (each is reported once).
    var unsupported: Set<String> = []
    let interrupts: InterruptMonitor

    /// A kernel for the connection file at `connectionFile`, whose session runs `executable machine
    /// machineArguments…`.
    public init(connectionFile: String, executable: String, machineArguments: [String]) throws {
        let info = try ConnectionInfo.read(connectionFile)
        signer = info.key.isEmpty ? nil : HMACSHA256(key: Array(info.key.utf8))
        wire = JupyterWire(signer: signer, session: UUID().uuidString.lowercased())
        shell = try ZMTPSocket(.router, address: info.address(info.shellPort))
        control = try ZMTPSocket(.router, address: info.address(info.controlPort))
        stdin = try ZMTPSocket(.router, address: info.address(info.stdinPort))
        iopub = try ZMTPSocket(.pub, address: info.address(info.iopubPort))
        heartbeat = try ZMTPSocket(.rep, address: info.address(info.hbPort))
        self.executable = executable
        self.machineArguments = machineArguments
        signal(SIGPIPE, SIG_IGN)
        machine = try MachineClient(executable: executable, arguments: machineArguments)
        // "Interrupt kernel" sends SIGINT: it becomes an interrupt request to the session; the kernel never exits on it.
        interrupts = InterruptMonitor(exitAfter: 0, onInterrupt: {})
    }

    /// Serves until a shutdown request (or until the connection's sockets fail).
    public func run() -> ExitStatus {
        let sockets = [shell, control, stdin, iopub, heartbeat]
        while running {
            var fds = sockets.flatMap(\.pollDescriptors)
            fds.append(pollfd(fd: machine.output, events: Int16(POLLIN), revents: 0))
            if interrupts.wakeDescriptor >= 0 { fds.append(pollfd(fd: interrupts.wakeDescriptor, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                FileHandle.standardError.write(Data("ptune kernel: poll failed: \(String(cString: strerror(errno)))\n".utf8))
                break
            }
            for p in fds where p.revents != 0 && running {
                if p.fd == interrupts.wakeDescriptor {
                    interrupts.reset()
                    interrupt()
                } else if p.fd == machine.output {
                    machineOutput()
                } else if let socket = sockets.first(where: { $0.owns(p.fd) }) {
                    for (from, frames) in socket.handle(p.fd, events: p.revents) { received(frames, from: from, on: socket) }
                }
            }
        }
        for socket in sockets { flushAll(socket) }
        machine.stop()
        for socket in sockets { socket.close() }
        return .success
    }

    /// A message arrived on `socket` from connection `from`.
    func received(_ frames: [[UInt8]], from: Int32, on socket: ZMTPSocket) {
        if socket === heartbeat { return heartbeat.send(frames, to: from) }
        guard socket === shell || socket === control else { return }
        let message: JupyterMessage
        do { message = try JupyterMessage(frames: frames, signer: signer) } catch {
            FileHandle.standardError.write(Data("ptune kernel: dropped a message: \(error)\n".utf8))
            return
        }
        guard let type = JupyterRequest(rawValue: message.header.msgType) else {
            // Said once per type: front ends may poll with requests the kernel has no use for.
            if unsupported.insert(message.header.msgType).inserted {
                FileHandle.standardError.write(Data("ptune kernel: '\(message.header.msgType)' requests are not supported; ignoring them\n".utf8))
            }
            return
        }
        let pending = Pending(message: message, connection: from, type: type)
        switch type {
        case .kernelInfo, .commInfo, .history:
            let onShell = socket === shell
            if onShell { status("busy", parent: message) }
            answer(pending, on: socket)
            if onShell { status("idle", parent: message) }
        case .interrupt:
            interrupt()
            reply(pending, StatusReply(), on: socket)
        case .shutdown:
            let restart = message.decode(ShutdownRequest.self)?.restart ?? false
            reply(pending, ShutdownReply(restart: restart), on: socket)
            running = false
        case .execute, .complete, .inspect, .isComplete:
            queue.append(pending)
            dispatch()
        }
    }

    /// The replies the kernel gives without the session.
    func answer(_ p: Pending, on socket: ZMTPSocket) {
        switch p.type {
        case .kernelInfo:
            let version = PTuneVersion.current
            reply(p, KernelInfoReply(implementationVersion: version, languageInfo: .init(version: version),
                                     banner: "ptune \(version) — p-tuning experiments; :help lists the commands and builtins",
                                     helpLinks: [.init(text: "ptune language", url: "https://github.com/ptune/ptune/blob/main/docs/language.md")]),
                  on: socket)
        case .commInfo: reply(p, CommInfoReply(), on: socket)
        case .history: reply(p, HistoryReply(), on: socket)
        case .execute, .complete, .inspect, .isComplete, .interrupt, .shutdown: break
        }
    }

    /// Sends the next queued shell request to the session, when it is free.
    func dispatch() {
        guard current == nil, !queue.isEmpty else { return }
        let p = queue.removeFirst()
        requests += 1
        var flight = InFlight(pending: p, id: String(requests))
        status("busy", parent: p.message)
        let request: MachineRequest
        switch p.type {
        case .execute:
            guard let e = p.message.decode(ExecuteRequest.self) else { return refuse(p, "execute_request without code") }
            let store = e.storeHistory && !e.silent
            if store { executionCount += 1 }
            flight.silent = e.silent
            flight.stopOnError = e.stopOnError
            flight.count = executionCount
            if !e.silent { publish("execute_input", ExecuteInputContent(code: e.code, executionCount: executionCount), parent: p.message) }
            request = .execute(id: flight.id, code: e.code, cell: store ? executionCount : nil)
        case .complete:
            guard let c = p.message.decode(CursorRequest.self) else { return refuse(p, "complete_request without code") }
            request = .complete(id: flight.id, code: c.code, cursor: c.cursorPos)
        case .inspect:
            guard let c = p.message.decode(CursorRequest.self) else { return refuse(p, "inspect_request without code") }
            request = .inspect(id: flight.id, code: c.code, cursor: c.cursorPos, detail: c.detailLevel ?? 0)
        case .isComplete:
            guard let c = p.message.decode(CodeRequest.self) else { return refuse(p, "is_complete_request without code") }
            request = .isComplete(id: flight.id, code: c.code)
        case .kernelInfo, .commInfo, .history, .interrupt, .shutdown:
            return
        }
        current = flight
        machine.send(request)
    }

    /// Answers a malformed request with an error status and moves on.
    func refuse(_ p: Pending, _ why: String) {
        FileHandle.standardError.write(Data("ptune kernel: \(why)\n".utf8))
        reply(p, ErrorContentReply(ename: "BadRequest", evalue: why), on: shell)
        status("idle", parent: p.message)
        dispatch()
    }

    /// Asks the session to stop the running cell at its next step boundary.
    func interrupt() {
        machine.send(.interrupt)
    }

    // MARK: - Sending

    /// Replies to `p` on `socket`.
    func reply<C: Encodable>(_ p: Pending, _ content: C, on socket: ZMTPSocket) {
        socket.send(wire.frames(p.type.replyType, content: content, parent: p.message, identities: p.message.identities), to: p.connection)
    }

    /// Publishes on iopub.
    func publish<C: Encodable>(_ type: String, _ content: C, parent: JupyterMessage?) {
        iopub.publish(wire.frames(type, content: content, parent: parent, identities: [Array("kernel.\(wire.session).\(type)".utf8)]))
    }

    /// Publishes the kernel's state (`busy`, `idle`) for `parent`.
    func status(_ state: String, parent: JupyterMessage?) {
        publish("status", StatusContent(executionState: state), parent: parent)
    }

    /// Writes what the sockets still hold, for up to a second (before exiting).
    func flushAll(_ socket: ZMTPSocket) {
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline {
            var fds = socket.pollDescriptors.filter { $0.events & Int16(POLLOUT) != 0 }
            if fds.isEmpty { return }
            _ = poll(&fds, nfds_t(fds.count), 50)
            for p in fds where p.revents != 0 { _ = socket.handle(p.fd, events: p.revents) }
        }
    }
}

/// A reply with status `error` to a request the kernel could not read.
struct ErrorContentReply: Encodable {
    var status = "error"
    var ename: String
    var evalue: String
    var traceback: [String] = []
}
