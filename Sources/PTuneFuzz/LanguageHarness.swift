import Foundation
import PTuneCore
import PTuneLang

/// The language harnesses: the front end alone, and whole programs under budgets.
public enum LanguageHarness {
    /// The budgets of a fuzzed program: small tensors, little memory, shallow recursion, few steps, half a second.
    static let limits = Limits(maxTensorElements: 1 << 16, maxTensorBytes: 1 << 20, maxMemoryBytes: 32 << 20,
                               maxCallDepth: 64, timeout: 0.5, maxSteps: 20_000)

    /// Options confining file access to the sandbox folder.
    static var options: SessionOptions {
        SessionOptions(fileAccess: FileAccess(only: [FuzzSandbox.folder]), limits: limits)
    }

    /// The session the front-end harness checks against (checking changes nothing in it, so one serves every
    /// input: creating a session costs more than checking a small script).
    nonisolated(unsafe) static let checker = Session(options: options, output: .discard)

    /// Lexes, parses and checks `bytes` as a script; renders every diagnostic (every one must have a place).
    /// Rejected with the first error when there is one.
    static func parse(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let worker else { return parseHere(bytes) }
        return worker.run { parseHere(bytes) }
    }

    /// ``parse(_:)`` on the calling thread.
    static func parseHere(_ bytes: [UInt8]) -> FuzzOutcome {
        let file = SourceFile(name: "fuzz.pt", bytes: bytes, directory: FuzzSandbox.folder)
        let parsed = Parser.parse(file)
        for d in parsed.diagnostics { render(d, bytes) }
        do {
            try checker.check(file)
            return .accepted
        } catch {
            for d in error.diagnostics { render(d, bytes) }
            return outcome(of: error)
        }
    }

    /// Runs a program: the first byte chooses between a program generated from the rest (odd) and the rest as
    /// script text (even), so the fuzzer both explores the language's semantics and mutates real scripts.
    /// Rejected with the program's first error when it has one.
    static func interpret(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let worker else { return interpret(bytes, in: Session(options: options, output: .discard)) }
        return worker.run {
            interpreterSession.reset()
            return interpret(bytes, in: interpreterSession)
        }
    }

    /// The thread every input of the language harnesses runs on, one at a time: its large stack is what
    /// `Session.check` and `Session.run` would otherwise start a thread for, per input. Nil when it cannot be
    /// started (each input then runs as a script run does, at half the speed or less).
    static let worker = LargeStack.Worker()

    /// The session the interpreter harness reuses, reset before every input (a fresh `Session` per input costs
    /// more than running most fuzzed programs); used only on ``worker``'s thread.
    nonisolated(unsafe) static let interpreterSession = Session(options: options, output: .discard)

    /// The program the interpreter harness runs for `bytes`: the first byte chooses between a program generated
    /// from the rest (odd) and the rest as script text (even); nil for no bytes.
    public static func program(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.first else { return nil }
        let rest = Array(bytes.dropFirst())
        var generator = ProgramGenerator(rest)
        return first & 1 == 1 ? generator.program() : String(decoding: rest, as: UTF8.self)
    }

    /// Runs a program in `session`, then checks that the session still answers a plain statement.
    static func interpret(_ bytes: [UInt8], in session: Session) -> FuzzOutcome {
        guard let text = program(bytes) else { return .accepted }
        let result: FuzzOutcome
        do {
            try session.run(SourceFile(name: "fuzz.pt", text: text, directory: FuzzSandbox.folder))
            result = .accepted
        } catch {
            for d in error.diagnostics { render(d, Array(text.utf8)) }
            result = outcome(of: error)
        }
        // A session survives an error: it must still run a plain statement.
        do {
            let v = try session.run(SourceFile(name: "after.pt", text: "1 + 1"))
            if v.first?.description != "2" { FuzzFailure.trap("a session answered \(v) to '1 + 1' after a fuzzed program") }
        } catch {
            // The machine being too busy to add two numbers within the time limit breaks nothing.
            if case let .runtime(d) = error, case .limitReached = d.message { return result }
            FuzzFailure.trap("a session failed '1 + 1' after a fuzzed program: \(error)")
        }
        return result
    }

    /// A failure as an outcome: its first diagnostic's headline (`fuzz.pt:1:5: error: …`).
    static func outcome(of failure: RunFailure) -> FuzzOutcome {
        .rejected(failure.diagnostics.first?.headline ?? failure.description)
    }

    /// Renders a diagnostic; a syntax or check error must point into the source.
    static func render(_ d: Diagnostic, _ bytes: [UInt8]) {
        _ = d.rendered(color: true)
        if let s = d.span, s.start < 0 || s.end < s.start || s.end > bytes.count {
            FuzzFailure.trap("diagnostic span \(s.start)..<\(s.end) outside a source of \(bytes.count) bytes")
        }
    }
}
