import Foundation
import PTuneLang

/// What the language costs on top of the core: `examples/seed.pt` (the W1 toy) run by the interpreter with
/// `--set steps=N`, against the same training step written in Swift on the core (``CoreBench/Toy``); and the W2
/// golden script (a declarative `train` block, 300 Adam steps) against W2 written against PTuneNN in Swift.
enum LangBench {
    /// Seconds to run `examples/seed.pt` with `steps` training steps in a fresh session (output discarded).
    static func seedScript(steps: Int) throws -> Double {
        try script("examples/seed.pt", overrides: ["steps=\(steps)"])
    }

    /// The repository root: `$PTUNE_REPO` (set by scripts/bench), else the working directory.
    static var repository: String {
        ProcessInfo.processInfo.environment["PTUNE_REPO"] ?? FileManager.default.currentDirectoryPath
    }

    /// Seconds to run the script at `relative` (to the repository) in a fresh session, output discarded; the
    /// script may read the whole repository (the golden scripts read the reference fixtures).
    static func script(_ relative: String, overrides: [String] = []) throws -> Double {
        let path = repository + "/" + relative
        var options = SessionOptions(overrides: try overrides.map { try Override(parsing: $0) })
        options.fileAccess.allow(repository)
        let session = Session(options: options, output: .discard)
        let t0 = Clock.now()
        _ = try session.runFile(path)
        return Clock.now() - t0
    }

    /// Steps per second of the seed toy in the language (the script's fixed cost, measured with 1 step, taken
    /// off) beside the Swift core loop, fastest of three runs each.
    static func run(baselines: Baselines) throws -> Table {
        var t = Table(title: "the language's cost: examples/seed.pt (W1, float64) interpreted vs the same step in Swift",
                      header: ["path", "steps/s", "µs per step", "vs Swift"])
        let n = 20_000
        var lang = 0.0
        for _ in 0..<3 {
            let fixed = try seedScript(steps: 1), whole = try seedScript(steps: n)
            lang = Swift.max(lang, Double(n - 1) / Swift.max(whole - fixed, 1e-9))
        }
        var toy = try CoreBench.Toy()
        var core = 0.0
        for _ in 0..<3 { core = Swift.max(core, try Clock.rate(minTime: 0.5, batch: 10_000) { try toy.step() }) }
        t.add(["Swift on PTuneCore", grouped(core), fmt(1e6 / core, 2), "1.00x"])
        t.add(["ptune script (interpreter)", grouped(lang), fmt(1e6 / lang, 2), fmt(lang / core, 2) + "x"])
        // The W1 baselines of the same run: the script's speed as a multiple of theirs.
        if let np = baselines.stepsPerSecond("w1_seed_numpy.py") {
            t.add(["W1 numpy hand-written gradient (same run)", grouped(np), fmt(1e6 / np, 2), "script is " + fmt(lang / np, 2) + "x"])
        }
        if baselines.hasTorch, let pt = baselines.stepsPerSecond("w1_seed_torch.py", ["--threads", "2"]) {
            t.add(["W1 PyTorch autograd (same run)", grouped(pt), fmt(1e6 / pt, 2), "script is " + fmt(lang / pt, 1) + "x"])
        }
        // W2 as a `train` block: the whole script (loading the fixture, 300 steps, a final evaluation) against
        // the 300 steps in Swift, so the ratio is an upper bound on the block's overhead. The script's
        // `prompt(pe, x)` writes the virtual tokens into every sequence, so the Swift loop does too.
        var script = Double.infinity, swift = Double.infinity
        for _ in 0..<3 {
            script = Swift.min(script, try Self.script("Tests/PTuneLangTests/Golden/examples/w2_reference.pt"))
            swift = Swift.min(swift, try ReferenceWorkloads.runW2(steps: 300, sharedPrefix: false).seconds)
        }
        t.add(["W2 in Swift on PTuneNN (300 Adam steps, prompt in every sequence)", grouped(300 / swift), fmt(1e6 * swift / 300, 0), "1.00x"])
        t.add(["W2 as a ptune train block (whole script)", grouped(300 / script), fmt(1e6 * script / 300, 0),
               fmt(swift / script, 3) + "x"])
        return t
    }
}
