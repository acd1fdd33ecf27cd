import Foundation

/// How long a script took: parsing and checking, then running.
public struct ScriptTiming: Sendable {
    /// Seconds to parse and check (and compile) the script.
    public var checkSeconds: Double
    /// Seconds to run it.
    public var runSeconds: Double
}

extension Session {
    /// Parses, checks and runs `source` in a fresh session with output discarded, and times the two phases. This
    /// is the entry point of `scripts/bench` for the interpreter's overhead (e.g. `examples/seed.pt`'s loop).
    public static func measure(_ source: SourceFile, options: SessionOptions = SessionOptions()) throws(RunFailure) -> ScriptTiming {
        let session = Session(options: options, output: .discard)
        if let dir = source.directory {
            session.machine.fileAccess.allow(dir)
            session.machine.directory = dir
        }
        let t0 = Machine.now()
        let statements = try session.parse(source)
        var c = session.compiler()
        let compiled = c.compileProgram(statements)
        try session.report(c, unusedOverrides: true)
        let t1 = Machine.now()
        _ = try session.execute(compiled)
        let t2 = Machine.now()
        return ScriptTiming(checkSeconds: t1 - t0, runSeconds: t2 - t1)
    }
}
