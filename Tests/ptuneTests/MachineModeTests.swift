import Foundation
import PTuneCore
import Testing

/// `ptune machine` as a program fronting ptune uses it: JSON requests on standard input, JSON events on standard
/// output, one per line.
@Suite struct MachineModeTests {
    /// The events `ptune machine` writes for `requests`.
    static func events(_ requests: [JSONValue], in directory: URL? = nil) throws -> [JSONValue] {
        let r = try PtuneProcess.run(["machine"], input: requests.map { $0.serialized() + "\n" }.joined(), in: directory)
        #expect(r.status == 0, "ptune machine: \(r.stderr)")
        return try lines(r.stdout)
    }

    /// The JSON objects of output lines.
    static func lines(_ text: String) throws -> [JSONValue] {
        try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    /// An execute request.
    static func execute(_ id: String, _ code: String, cell: Int? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["op": .string("execute"), "id": .string(id), "code": .string(code)]
        if let cell { fields["cell"] = .int(cell) }
        return .object(fields)
    }

    /// A request with code and a cursor (`complete`, `inspect`) or code alone (`is_complete`).
    static func request(_ op: String, _ id: String, _ code: String, cursor: Int? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["op": .string(op), "id": .string(id), "code": .string(code)]
        if let cursor { fields["cursor"] = .int(cursor) }
        return .object(fields)
    }

    /// The events answering request `id`.
    static func answering(_ id: String, in events: [JSONValue]) -> [JSONValue] { events.filter { $0["id"]?.stringValue == id } }

    @Test func cellsRunAsREPLEntriesWithLocatedErrors() throws {
        let events = try Self.events([
            Self.execute("a", "seed 0\ndim e = 2\nlet x = randn(e, 3)\nprint 7\nx\n:type x", cell: 1),
            Self.execute("b", "let ok = 1\n\nlet y = x @ x", cell: 2),
            Self.execute("c", "print ok", cell: 3),
        ])
        #expect(events.first?["event"]?.stringValue == "ready")
        let a = Self.answering("a", in: events)
        #expect(a.map { $0["event"]?.stringValue } == ["stream", "display", "stream", "done"])
        #expect(a[0]["text"]?.stringValue == "7\n")
        #expect(a[1]["data"]?["text/plain"]?.stringValue?.hasSuffix("shape [2, 3] float32") == true)
        #expect(a[1]["data"]?["text/html"]?.stringValue?.contains("<table") == true)
        #expect(a[1]["result"]?.boolValue == true)
        #expect(a[2]["text"]?.stringValue == "tensor [e, 3] float32\n")
        #expect(a[3]["status"]?.stringValue == "ok")
        let b = Self.answering("b", in: events)
        let error = try #require(b.first { $0["event"]?.stringValue == "error" }?["error"])
        #expect(error["kind"]?.stringValue == "check")
        let diagnostic = try #require(error["diagnostics"]?.arrayValue?.first)
        #expect(diagnostic["source"]?.stringValue == "<cell:2>")
        #expect(diagnostic["line"]?.intValue == 3 && diagnostic["column"]?.intValue == 9 && diagnostic["end_column"]?.intValue == 14)
        #expect(error["text"]?.stringValue?.contains("let y = x @ x\n        ^~~~~") == true)
        #expect(b.last?["status"]?.stringValue == "error")
        // Nothing of a cell with a check error ran: 'ok' was never defined.
        #expect(Self.answering("c", in: events).contains { $0["event"]?.stringValue == "error" })
    }

    @Test func completionInspectionAndCompleteness() throws {
        let cell = "let greeting = \"héllo\"\nlet cells = randn(2, 3)\ncells.sh"
        let events = try Self.events([
            Self.request("complete", "1", cell, cursor: cell.unicodeScalars.count),
            Self.request("complete", "2", "let o = adam(l", cursor: 14),
            Self.request("inspect", "3", "mse(", cursor: 4),
            Self.request("inspect", "4", "dim k = 3\nlet m = zeros(k, 2)\nm", cursor: 31),
            Self.request("inspect", "5", ":vars", cursor: 2),
            Self.request("is_complete", "6", "fn f(a) {\n  return a"),
            Self.request("is_complete", "7", "print 1"),
        ])
        func event(_ id: String) -> JSONValue { Self.answering(id, in: events).first ?? .null }
        #expect(event("1")["matches"] == .array([.string("shape")]))
        #expect(event("1")["start"]?.intValue == cell.unicodeScalars.count - 2)
        #expect(event("2")["matches"]?.arrayValue?.first == .string("lr:"))
        #expect(event("3")["data"]?["text/plain"]?.stringValue?.hasPrefix("mse(pred, target") == true)
        #expect(event("4")["data"]?["text/plain"]?.stringValue?.hasPrefix("m: let tensor [k, 2] float32") == true)
        #expect(event("5")["data"]?["text/plain"]?.stringValue?.hasPrefix(":vars") == true)
        #expect(event("6")["status"]?.stringValue == "incomplete" && event("6")["indent"]?.stringValue == "  ")
        #expect(event("7")["status"]?.stringValue == "complete")
    }

    @Test func chartsProgressAndCommandErrors() throws {
        let train = """
            seed 1
            dim w = 4
            encoder pe = mlp(2, w, hidden: 8)
            model head = linear(w -> 2) frozen
            data d = synthetic_classes(n: 16, seq: 3, dim: w, classes: 2)
            let run = train pe on d {
              loss: cross_entropy(head(mean(prompt(pe, batch.x), axis: 1)), batch.y)
              optimizer: adam(lr: 1e-2)
              batch: 8
              epochs: 3
              log: every 3 steps
            }
            plot(run)
            """
        let r = try PtuneProcess.run(["machine"], input: [
            Self.execute("t", train, cell: 1).serialized(), Self.execute("q", ":quit", cell: 2).serialized(),
            "this is not json", Self.execute("u", ":nosuch", cell: 3).serialized(),
        ].joined(separator: "\n") + "\n")
        let events = try Self.lines(r.stdout)
        let t = Self.answering("t", in: events)
        let progress = t.filter { $0["event"]?.stringValue == "progress" }
        #expect(progress.first?["update"]?.boolValue == false)
        #expect(Set(progress.compactMap { $0["display"]?.stringValue }).count == 1)
        #expect(progress.last?["data"]?["text/plain"]?.stringValue?.contains("6/6") == true)
        let printed = t.filter { $0["event"]?.stringValue == "stream" }.compactMap { $0["text"]?.stringValue }.joined()
        #expect(printed.contains("step 3/6  epoch 2") && printed.contains("trained pe: 6 steps"), "\(printed)")
        let chart = t.first { $0["data"]?["image/svg+xml"] != nil }
        #expect(chart?["data"]?["image/svg+xml"]?.stringValue?.hasPrefix("<svg") == true)
        #expect(t.last?["status"]?.stringValue == "ok")
        #expect(Self.answering("q", in: events).first?["error"]?["kind"]?.stringValue == "command")
        #expect(events.contains { $0["event"]?.stringValue == "protocol_error" })
        #expect(Self.answering("u", in: events).first?["error"]?["summary"]?.stringValue?.contains("unknown command ':nosuch'") == true)
    }

    @Test func anInterruptStopsTheRunningCellAndTheSessionGoesOn() throws {
        let process = Process()
        process.executableURL = PtuneProcess.binary
        process.arguments = ["machine"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let write = { (request: JSONValue) in input.fileHandleForWriting.write(Data((request.serialized() + "\n").utf8)) }
        // The interrupt is sent once the loop is running (it prints when it reaches step 1000), however slowly the
        // process started: so the loop has run at least that far when it stops.
        write(Self.execute("loop", "let n = 0\nfor i in 1..1000000000 {\n  n = i\n  if i == 1000 { print \"running\" }\n}"))
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains("running") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        write(.object(["op": .string("interrupt")]))
        write(Self.execute("after", "n >= 1000"))
        try input.fileHandleForWriting.close()
        received.append(output.fileHandleForReading.readDataToEndOfFile())
        let events = try Self.lines(String(decoding: received, as: UTF8.self))
        process.waitUntilExit()
        let loop = Self.answering("loop", in: events)
        #expect(loop.first { $0["event"]?.stringValue == "error" }?["error"]?["kind"]?.stringValue == "interrupted")
        #expect(loop.last?["status"]?.stringValue == "interrupted")
        #expect(Self.answering("after", in: events).first?["data"]?["text/plain"]?.stringValue == "true")
    }

    /// docs/jupyter.md shows an exchange: each `→` line sent, each `←` line what comes back, in order.
    @Test func theDocumentedExchangeIsWhatPtuneMachineAnswers() throws {
        let doc = try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent("docs/jupyter.md"), encoding: .utf8)
        let lines = doc.split(separator: "\n").map(String.init)
        let requests = try lines.filter { $0.hasPrefix("→ ") }.map { try JSONValue.parse(String($0.dropFirst(2))) }
        let answers = try lines.filter { $0.hasPrefix("← ") }.map { try JSONValue.parse(String($0.dropFirst(2))) }
        #expect(requests.count >= 5 && answers.count >= 5)
        let r = try PtuneProcess.run(["machine", "--quiet"], input: requests.map { $0.serialized() + "\n" }.joined())
        let events = try Self.lines(r.stdout).filter { $0["event"]?.stringValue != "ready" }
        #expect(events == answers, "ptune machine answered:\n\(events.map { $0.serialized() }.joined(separator: "\n"))")
    }
}
