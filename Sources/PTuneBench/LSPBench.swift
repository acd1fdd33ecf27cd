import Foundation
import PTuneCore
import PTuneLang

/// The language server's latencies, measured as an editor sees them: `ptune lsp` started as a process, spoken to over
/// its standard input and output. Start-up is compared with `ptune --version` started and ended the same way in the
/// same run; completion, hover and typing are timed on a generated 500-line recipe. The checker's own time on that
/// recipe is measured in this process, phase by phase.
enum LSPBench {
    /// The `ptune` binary built beside this one.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ptune")
    }

    static func run(starts: Int = 15) throws -> [Table] {
        var startup = Table(title: "Language server start-up (process start to first answer, median of \(starts))",
                            header: ["what", "ms", "vs ptune --version"])
        let baseline = try median(starts) { try timeProcess(["--version"]) }
        startup.add(["ptune --version (start, print, exit)", fmt(baseline * 1e3, 1), "1.00"])
        let initialize = try median(starts) {
            let server = try Server()
            let t = try server.initialize()
            server.stop()
            return t
        }
        startup.add(["ptune lsp: initialize answered", fmt(initialize * 1e3, 1), fmt(initialize / baseline, 2)])

        let recipe = LSPBench.recipe(lines: 500)
        var requests = Table(title: "Language server on a 500-line recipe (round trip; median and slowest of 30)",
                             header: ["request", "median ms", "max ms"])
        let server = try Server()
        _ = try server.initialize()
        let uri = "file:///tmp/ptune-bench-recipe.pt"
        var version = 1
        let open = try server.timed(until: "textDocument/publishDiagnostics") {
            server.notify("textDocument/didOpen", .object(["textDocument": .object([
                "uri": .string(uri), "languageId": .string("ptune"), "version": .int(1), "text": .string(recipe.text)])]))
        }
        requests.add(["open: check and publish diagnostics", fmt(open * 1e3, 1), ""])
        func add(_ name: String, _ position: (line: Int, character: Int), method: String = "textDocument/completion") throws {
            var times: [Double] = []
            for _ in 0..<30 {
                times.append(try server.request(method, .object([
                    "textDocument": .object(["uri": .string(uri)]),
                    "position": .object(["line": .int(position.line), "character": .int(position.character)])])).seconds)
            }
            times.sort()
            requests.add([name, fmt(times[times.count / 2] * 1e3, 2), fmt((times.last ?? 0) * 1e3, 2)])
        }
        try add("completion: every name at the end (keywords, builtins, 400+ names)", recipe.end)
        try add("completion: names with a typed prefix", (recipe.end.line, recipe.end.character + 1))
        try add("completion: members after '.'", recipe.member)
        try add("completion: named arguments inside a call", recipe.argument)
        try add("hover: a param's type and shape", recipe.member, method: "textDocument/hover")
        // Typing: one character inserted, then completion — the document is checked again before the answer.
        var typing: [Double] = []
        for i in 0..<30 {
            version += 1
            let line = recipe.end.line, column = recipe.end.character + 1 + i
            let t0 = Clock.now()
            server.notify("textDocument/didChange", .object([
                "textDocument": .object(["uri": .string(uri), "version": .int(version)]),
                "contentChanges": .array([.object([
                    "range": .object(["start": .object(["line": .int(line), "character": .int(column)]),
                                      "end": .object(["line": .int(line), "character": .int(column)])]),
                    "text": .string("e")])])]))
            _ = try server.request("textDocument/completion", .object([
                "textDocument": .object(["uri": .string(uri)]),
                "position": .object(["line": .int(line), "character": .int(column + 1)])]))
            typing.append(Clock.now() - t0)
        }
        typing.sort()
        requests.add(["typing: a change, then completion (checks again)", fmt(typing[typing.count / 2] * 1e3, 2),
                      fmt((typing.last ?? 0) * 1e3, 2)])
        server.stop()

        var phases = Table(title: "Checking the 500-line recipe in-process (median)", header: ["phase", "ms"])
        let file = SourceFile(name: "recipe.pt", text: recipe.text)
        phases.add(["lex", fmt(Clock.median { _ = Lexer.tokenize(file) } * 1e3, 2)])
        phases.add(["parse (lexes too)", fmt(Clock.median { _ = Parser.parse(file) } * 1e3, 2)])
        phases.add(["analysis: parse, check, index, scopes", fmt(Clock.median { _ = SourceAnalysis(file) } * 1e3, 2)])
        let analysis = SourceAnalysis(file)
        let offset = file.bytes.count
        phases.add(["names in scope at the end", fmt(Clock.median { _ = analysis.scope(at: offset) } * 1e3, 3)])
        return [startup, requests, phases]
    }

    static func median(_ n: Int, _ body: () throws -> Double) throws -> Double {
        var times: [Double] = []
        for _ in 0..<n { times.append(try body()) }
        times.sort()
        return times[times.count / 2]
    }

    /// Seconds from starting `ptune arguments…` to its exit.
    static func timeProcess(_ arguments: [String]) throws -> Double {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let t0 = Clock.now()
        try p.run()
        p.waitUntilExit()
        return Clock.now() - t0
    }

    /// A recipe of about `lines` lines: blocks of dims, params, frozen tensors, models, encoders, data, functions with
    /// block bodies, optimizers and loops, as a long experiment file has; and where to ask for completions.
    static func recipe(lines count: Int) -> (text: String, end: (line: Int, character: Int),
                                              member: (line: Int, character: Int), argument: (line: Int, character: Int)) {
        var lines = ["# a generated recipe for timing the language server", "seed 0", "dtype float64"]
        var k = 0
        var member = (0, 0), argument = (0, 0)
        while lines.count < count - 2 {
            k += 1
            lines += [
                "dim embed\(k) = 16", "dim virtual\(k) = 4", "param w\(k) = randn(embed\(k), embed\(k))",
                "frozen f\(k) = randn(virtual\(k), embed\(k))",
                "model llm\(k) = mlp(embed\(k) -> 32 -> embed\(k), act: gelu, residual: true) frozen",
                "encoder pe\(k) = mlp(virtual\(k), embed\(k), hidden: 32)",
                "data d\(k) = synthetic_classes(n: 64, seq: 4, dim: embed\(k), classes: 2)",
                "fn step\(k)(x) = relu(x @ w\(k))", "fn join\(k)(a, b) {", "  let s = concat(a, b)", "  return s * 2", "}",
                "let y\(k) = step\(k)(f\(k))", "let z\(k) = join\(k)(f\(k), y\(k))", "print z\(k).shape, mean(z\(k))",
                "let opt\(k) = adam([w\(k)], lr: 0.01)", "for i in 1..3 {",
                "  let loss = mse(step\(k)(f\(k)), zeros(virtual\(k), embed\(k)))", "  opt\(k).step(loss)", "}",
            ]
            if k == 10 {
                member = (lines.count - 6, "print z\(k).".utf8.count)
                argument = (lines.count - 5, "let opt\(k) = adam([w\(k)], ".utf8.count)
            }
        }
        lines.append("let last = z1")
        return (lines.joined(separator: "\n") + "\n", (lines.count - 1, "let last = ".utf8.count), member, argument)
    }

    /// A `ptune lsp` process and a minimal client for it.
    final class Server {
        let process = Process()
        let input = Pipe(), output = Pipe()
        private var buffer: [UInt8] = []
        private var nextID = 0
        let started: Double

        init() throws {
            process.executableURL = LSPBench.binary
            process.arguments = ["lsp"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            started = Clock.now()
            try process.run()
        }

        /// Seconds from the process start to `initialize`'s answer.
        func initialize() throws -> Double {
            _ = try request("initialize", .object(["capabilities": .object([:])]))
            notify("initialized", .object([:]))
            return Clock.now() - started
        }

        func send(_ message: JSONValue) {
            let body = message.serializedBytes()
            input.fileHandleForWriting.write(Data(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body))
        }

        func notify(_ method: String, _ params: JSONValue) {
            send(.object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params]))
        }

        /// Sends a request and waits for its answer; the answer and the round trip in seconds.
        func request(_ method: String, _ params: JSONValue) throws -> (answer: JSONValue, seconds: Double) {
            nextID += 1
            let id = nextID
            let t0 = Clock.now()
            send(.object(["jsonrpc": .string("2.0"), "id": .int(id), "method": .string(method), "params": params]))
            while true {
                let m = try receive()
                if m["id"]?.intValue == id { return (m, Clock.now() - t0) }
            }
        }

        /// Seconds from `action` to the first notification `method`.
        func timed(until method: String, _ action: () -> Void) throws -> Double {
            let t0 = Clock.now()
            action()
            while try receive()["method"]?.stringValue != method {}
            return Clock.now() - t0
        }

        func receive() throws -> JSONValue {
            while true {
                if let end = headerEnd(), let length = contentLength(upTo: end), buffer.count >= end + length {
                    let body = Array(buffer[end..<(end + length)])
                    buffer.removeFirst(end + length)
                    return try JSONValue.parse(body)
                }
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw BenchError.serverEnded }
                buffer += chunk
            }
        }

        private func headerEnd() -> Int? {
            guard buffer.count >= 4 else { return nil }
            for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                return i + 4
            }
            return nil
        }

        private func contentLength(upTo end: Int) -> Int? {
            let header = String(decoding: buffer[..<end], as: UTF8.self)
            for line in header.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            }
            return nil
        }

        func stop() {
            _ = try? request("shutdown", .null)
            notify("exit", .null)
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    enum BenchError: Error { case serverEnded }
}
