import Foundation
import PTuneCore

/// Why running a source failed: the input is unfinished, or has syntax or check errors (nothing ran), or a runtime error
/// stopped it.
public enum RunFailure: Error, Sendable, CustomStringConvertible {
    /// The input ended inside an unfinished statement (the REPL shows a continuation prompt).
    case incomplete
    /// Syntax errors, every one found.
    case syntax([Diagnostic])
    /// Check errors (names, kinds, shapes), every one found, before anything ran.
    case check([Diagnostic])
    /// An error while running (the statements before it ran; the session keeps their effects).
    case runtime(Diagnostic)

    /// The diagnostics to print.
    public var diagnostics: [Diagnostic] {
        switch self {
        case .incomplete: return []
        case let .syntax(d), let .check(d): return d
        case let .runtime(d): return [d]
        }
    }

    public var description: String {
        if case .incomplete = self { return "error: unexpected end of input" }
        return diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// A persistent interpreter session: the names declared so far, their values, the random generator, the default
/// dtype, output, limits and file access. A script runs in a fresh session; the REPL feeds one session entry by
/// entry. Every entry is parsed, checked (names, kinds, shapes) and only then run.
public final class Session {
    /// The options the session was created with.
    public let options: SessionOptions
    /// Set from another thread (a SIGINT handler) to stop the running statement at the next step boundary.
    public let cancellation: CancellationFlag
    /// The builtins available to scripts.
    public let registry: BuiltinRegistry
    var table = GlobalTable()
    var machine: Machine
    var staticDType: DType = .float32
    /// The text of every source that ran to the end in this session, in order (the REPL's `:save` writes them
    /// as a script).
    public private(set) var transcript: [String] = []
    /// The canonical path of every file imported so far (checked, whether or not it then ran), sorted.
    public private(set) var importedFiles: [String] = []

    /// The last `seed` statement that ran — in the script or a file it imports —: its value (before `--seed`) and
    /// where it is.
    public var lastSeed: (value: UInt64, at: SourceSpan)? { machine.lastSeed }

    /// Notes every file the session's scripts read in `log` (nil: none).
    public func logReads(in log: ReadLog?) {
        machine.fileAccess.readLog = log
    }

    /// A session with `options`, writing to `output`.
    public init(options: SessionOptions = SessionOptions(), output: OutputSink = .standard,
                cancellation: CancellationFlag = CancellationFlag()) {
        self.options = options
        self.cancellation = cancellation
        self.registry = .standard
        self.machine = Machine(options: options, output: output, cancellation: cancellation, registry: .standard)
    }

    /// Where `print`, training logs and notes go.
    public var output: OutputSink {
        get { machine.output }
        set { machine.output = newValue }
    }

    /// Called at every training step with the step, total, loss and eval metric (the CLI draws a progress bar or
    /// prints log lines from it). When nil, `train` prints a plain line at each `log:` cadence.
    public var onTrainProgress: ((TrainProgress) -> Void)? {
        get { machine.onTrainProgress }
        set { machine.onTrainProgress = newValue }
    }

    /// Called by `log_metric(name, value)` with the result's name and value (a run record keeps them). When nil,
    /// `log_metric` keeps nothing.
    public var onMetric: ((String, Double) -> Void)? {
        get { machine.onMetric }
        set { machine.onMetric = newValue }
    }

    /// Forgets every name and value and reseeds (the REPL's `:reset`).
    public func reset() {
        let out = machine.output, hook = machine.onTrainProgress, metric = machine.onMetric, access = machine.fileAccess, dir = machine.directory
        table = GlobalTable()
        staticDType = .float32
        transcript = []
        importedFiles = []
        machine = Machine(options: options, output: out, cancellation: cancellation, registry: registry)
        machine.onTrainProgress = hook
        machine.onMetric = metric
        machine.fileAccess = access
        machine.directory = dir
    }

    // MARK: - Checking and running

    /// Parses and checks `source` against the session's names without running anything. Returns every
    /// diagnostic (empty when the source would run); `incomplete` when the input stops inside a statement.
    public func check(_ source: SourceFile, reportUnusedOverrides: Bool = false) throws(RunFailure) {
        try LargeStack.run { () throws(RunFailure) in
            let statements = try parse(source)
            var c = checker()
            _ = c.checkProgram(statements)
            noteImports(c)
            try report(c, unusedOverrides: reportUnusedOverrides)
        }
    }

    /// Parses, checks and runs `source`. Returns the values of its bare expression statements (the REPL prints
    /// them). After a runtime error the statements before it keep their effects.
    @discardableResult
    public func run(_ source: SourceFile, reportUnusedOverrides: Bool = false) throws(RunFailure) -> [Value] {
        if let dir = source.directory { machine.directory = dir }
        // Parsing, checking and running happen on a thread with a large stack (see LargeStack); the stack guards of
        // the parser, the checker and the machine bound each by what that stack holds.
        let values = try LargeStack.run { () throws(RunFailure) -> [Value] in
            let statements = try parse(source)
            var c = checker()
            let checked = c.checkProgram(statements)
            noteImports(c)
            try report(c, unusedOverrides: reportUnusedOverrides)
            return try execute(CodeGen.program(checked))
        }
        transcript.append(source.text)
        return values
    }

    /// Reads, checks and runs the script at `path` (its folder joins the folders it may use; relative paths in it
    /// resolve there). Unused `--set` overrides are errors.
    @discardableResult
    public func runFile(_ path: String) throws(RunFailure) -> [Value] {
        try run(try load(path), reportUnusedOverrides: true)
    }

    /// Reads the script at `path` as a source (a missing or unreadable file is a runtime failure naming it) and
    /// lets the session use its folder.
    public func load(_ path: String) throws(RunFailure) -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .runtime(Diagnostic(.fileError(path: path, FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"), at: nil))
        }
        let file = SourceFile.script(at: path, bytes: Array(data))
        let dir = file.directory ?? FileManager.default.currentDirectoryPath
        machine.fileAccess.allow(dir)
        machine.directory = dir
        return file
    }

    func parse(_ source: SourceFile) throws(RunFailure) -> [Stmt] {
        let r = Parser.parse(source)
        if r.isIncomplete { throw .incomplete }
        if !r.diagnostics.isEmpty { throw .syntax(r.diagnostics) }
        return r.statements
    }

    func checker() -> Checker {
        Checker(globals: table, dtype: staticDType, overrides: options.overrides, registry: registry, access: machine.fileAccess)
    }

    func noteImports(_ c: Checker) {
        importedFiles = Array(Set(importedFiles).union(c.globals.imported)).sorted()
    }

    func report(_ c: Checker, unusedOverrides: Bool) throws(RunFailure) {
        let diags = c.diagnostics + (unusedOverrides ? Session.unusedOverrides(options.overrides, used: c.usedOverrides) : [])
        if !diags.isEmpty { throw .check(diags) }
    }

    /// An error for each `--set` that names no top-level `dim` or `let` of a literal.
    static func unusedOverrides(_ overrides: [Override], used: Set<String>) -> [Diagnostic] {
        overrides.filter { !used.contains($0.name) }.map {
            Diagnostic(.badOverride("no top-level 'dim' or 'let' of a literal is named '\($0.name)'"), at: nil)
        }
    }

    /// Runs compiled statements in order, committing each one's names once it succeeds.
    func execute(_ compiled: [CompiledStatement]) throws(RunFailure) -> [Value] {
        let m = machine
        m.startRun()
        var values: [Value] = []
        let stop = m.stopCheck
        for cs in compiled {
            guard cs.frameSize <= m.stackCapacity else {
                throw .runtime(Diagnostic(.recursionTooDeep(options.limits.maxCallDepth), at: cs.span))
            }
            m.base = 0
            m.top = cs.frameSize
            m.callDepth = 0
            do {
                // Between statements too: a run of long statements stops at the next one once the time is up.
                try m.checkStop()
                try TensorContext.with(budget: m.budget, stop: stop) {
                    if let v = cs.value { values.append(try v(m)) } else { _ = try cs.exec(m) }
                }
            } catch {
                clearFrame(cs.frameSize)
                let failure = RuntimeFailure.located(error, at: cs.span)
                if failure.keepsBindings {
                    table = cs.tableAfter
                    refineTypes()
                }
                staticDType = m.defaultDType
                throw .runtime(failure.diagnostic)
            }
            clearFrame(cs.frameSize)
            table = cs.tableAfter
            refineTypes()
            staticDType = m.defaultDType
        }
        return values
    }

    private func clearFrame(_ size: Int) {
        for i in 0..<Swift.min(size, machine.stackCapacity) { machine.stack[i] = .none }
        machine.top = 0
    }

    /// After a statement runs, the session knows its values: record exact types (dims keep their names), so the
    /// next REPL entry is checked against what really exists.
    private func refineTypes() {
        for (name, slot) in table.slots where slot < Machine.maxGlobals && machine.initialized[slot] {
            let b = table.bindings[slot]
            let v = machine.globals[slot]
            switch b.kind {
            case .dim:
                if case let .number(x) = v { table.bindings[slot].type = .dim(Dim(Value.exactInt(x), name: name)) }
            case .param, .frozen, .let, .history, .data, .model, .frozenModel, .encoder:
                table.bindings[slot].type = Session.merge(b.type, v.staticType)
            case .function, .loopVariable, .parameter:
                break
            }
        }
    }

    /// The runtime type, keeping the names of dims the static type had.
    static func merge(_ old: LangType, _ new: LangType) -> LangType {
        if case let .model(o) = old, case let .model(n) = new { return .model(n.named(as: o)) }
        if case let .encoder(o) = old, case let .encoder(n) = new { return .encoder(n.named(as: o)) }
        guard case let .tensor(o) = old, case let .tensor(n) = new, let os = o.shape, let ns = n.shape, os.count == ns.count else {
            if case .number = new, case .number = old { return .number(nil) }
            return new
        }
        return .tensor(TensorType(shape: zip(os, ns).map { Dim($1.value, name: $0.name) }, dtype: n.dtype))
    }
}
