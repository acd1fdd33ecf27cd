import Foundation
import PTuneKernel
import PTuneLang
import PTuneREPL

/// How fast the notebook kernel answers: from the process's start to its first reply (`kernel_info`), and a
/// completion at the end of a 500-line script — over the wire, through the kernel and its session process, as
/// Jupyter sees it; beside them the floor (the binary printing its version) and the completer called in-process.
enum KernelBench {
    /// A run that did not go as the benchmark expects.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A 500-line script: 50 blocks of dims, params, functions, optimizer steps and tensor expressions.
    static let script: String = (0..<50).map { i in
        """
        # block \(i)
        dim d\(i) = \(4 + i % 3)
        param w\(i) = randn(d\(i), 8)
        let x\(i) = randn(2, d\(i))
        fn f\(i)(a) = relu(a @ w\(i))
        let y\(i) = f\(i)(x\(i))
        let s\(i) = item(sum(y\(i)))
        let opt\(i) = adam([w\(i)], lr: 0.01)
        opt\(i).step(mse(f\(i)(x\(i)), zeros(2, 8)))
        let z\(i) = concat(y\(i), y\(i))
        """
    }.joined(separator: "\n")

    /// The cell being completed: the script, then a member of a name it declares (`z49.sh|`).
    static var completionCode: String { script + "\nprint z49.sh" }

    static func table(binary: String) throws -> Table {
        var t = Table(title: "notebook kernel latency (ms; median of runs; targets: first reply < 100, completion < 20)",
                      header: ["what", "median ms", "best ms", "runs"])
        let floor = try times(5) { try KernelBench.runToExit(binary, ["--version"]) }
        t.add(["floor: 'ptune --version' from start to exit", fmt(floor.median * 1e3), fmt(floor.best * 1e3), "5"])
        let first = try times(7) { try KernelBench.kernelStartToFirstReply(binary) }
        t.add(["kernel: start → kernel_info_reply (over ZMTP)", fmt(first.median * 1e3), fmt(first.best * 1e3), "7"])
        let ready = try times(7) { try KernelBench.machineStartToReady(binary) }
        t.add(["ptune machine: start → ready event", fmt(ready.median * 1e3), fmt(ready.best * 1e3), "7"])
        let (unrun, ran) = try kernelCompletion(binary, repeats: 25)
        t.add(["kernel: complete_request, 500-line cell not run yet", fmt(unrun.median * 1e3, 2), fmt(unrun.best * 1e3, 2), "25"])
        t.add(["kernel: complete_request, after the 500 lines ran", fmt(ran.median * 1e3, 2), fmt(ran.best * 1e3, 2), "25"])
        let local = try inProcessCompletion(repeats: 25)
        t.add(["in-process Completer, same cell, after it ran", fmt(local.median * 1e3, 2), fmt(local.best * 1e3, 2), "25"])
        return t
    }

    /// The median and best of `n` timings.
    static func times(_ n: Int, _ body: () throws -> Double) throws -> (median: Double, best: Double) {
        var all: [Double] = []
        for _ in 0..<n { all.append(try body()) }
        all.sort()
        return (all[all.count / 2], all[0])
    }

    /// Seconds from starting `binary arguments…` to its exit.
    static func runToExit(_ binary: String, _ arguments: [String]) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        let t0 = Clock.now()
        try p.run()
        p.waitUntilExit()
        return Clock.now() - t0
    }

    /// Five free TCP ports on 127.0.0.1.
    static func freePorts() -> [Int] {
        var fds: [Int32] = [], ports: [Int] = []
        for _ in 0..<5 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
            _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            ports.append(Int(UInt16(bigEndian: a.sin_port)))
            fds.append(fd)
        }
        for fd in fds { _ = close(fd) }
        return ports
    }

    /// A started kernel and a client on its shell socket.
    struct RunningKernel {
        let process: Process
        let client: JupyterClient
        let folder: URL
        /// Seconds from the start to the first reply.
        let firstReply: Double

        func stop() {
            _ = try? client.request("shutdown_request", content: "{\"restart\": false}")
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Starts a kernel on a fresh connection file and times its first reply.
    static func startKernel(_ binary: String) throws -> RunningKernel {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-bench-kernel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let ports = freePorts(), key = UUID().uuidString
        let connection = """
            {"transport": "tcp", "ip": "127.0.0.1", "shell_port": \(ports[0]), "iopub_port": \(ports[1]), "stdin_port": \(ports[2]),
             "control_port": \(ports[3]), "hb_port": \(ports[4]), "key": "\(key)", "signature_scheme": "hmac-sha256"}
            """
        let file = folder.appendingPathComponent("kernel.json")
        try Data(connection.utf8).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["jupyter", "kernel", "--connection-file", file.path, "--quiet"]
        p.currentDirectoryURL = folder
        let t0 = Clock.now()
        try p.run()
        let client = try JupyterClient(port: ports[0], key: key, deadline: Date().addingTimeInterval(10))
        _ = try client.request("kernel_info_request", content: "{}")
        let first = Clock.now() - t0
        return RunningKernel(process: p, client: client, folder: folder, firstReply: first)
    }

    static func kernelStartToFirstReply(_ binary: String) throws -> Double {
        let k = try startKernel(binary)
        k.stop()
        return k.firstReply
    }

    /// Seconds from starting `ptune machine` to its `ready` line.
    static func machineStartToReady(_ binary: String) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["machine", "--quiet"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        let t0 = Clock.now()
        try p.run()
        var line: [UInt8] = []
        while !line.contains(0x0A) {
            let d = output.fileHandleForReading.availableData
            if d.isEmpty { break }
            line += d
        }
        let t = Clock.now() - t0
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        return t
    }

    /// Completion at the end of the 500-line cell, before and after it ran, through the kernel.
    static func kernelCompletion(_ binary: String, repeats: Int) throws -> (unrun: (median: Double, best: Double), ran: (median: Double, best: Double)) {
        let k = try startKernel(binary)
        defer { k.stop() }
        let code = completionCode
        let request = "{\"code\": \(JSONString(code)), \"cursor_pos\": \(code.unicodeScalars.count)}"
        func check(_ reply: String) throws {
            guard reply.contains("\"shape\"") else { throw KernelBench.Failure(description: "unexpected completion: \(reply.prefix(200))") }
        }
        let unrun = try times(repeats) {
            let t0 = Clock.now()
            try check(try k.client.request("complete_request", content: request))
            return Clock.now() - t0
        }
        let executed = try k.client.request("execute_request", content: "{\"code\": \(JSONString(script)), \"silent\": false, \"store_history\": true}")
        guard executed.contains("\"ok\"") else { throw KernelBench.Failure(description: "the script failed: \(executed.prefix(300))") }
        let ran = try times(repeats) {
            let t0 = Clock.now()
            try check(try k.client.request("complete_request", content: request))
            return Clock.now() - t0
        }
        return (unrun, ran)
    }

    /// The completer called directly on a session that ran the script.
    static func inProcessCompletion(repeats: Int) throws -> (median: Double, best: Double) {
        let session = Session(output: .discard)
        try session.run(SourceFile(name: "<bench>", text: script))
        let completer = Completer(source: session)
        let code = completionCode
        return try times(repeats) {
            let t0 = Clock.now()
            let r = completer.complete(line: code)
            guard r.candidates == ["shape"] else { throw KernelBench.Failure(description: "unexpected completion \(r.candidates)") }
            return Clock.now() - t0
        }
    }

    /// `s` as a JSON string literal.
    static func JSONString(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
