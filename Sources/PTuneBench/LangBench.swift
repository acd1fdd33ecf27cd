import Foundation
import PTuneLang

/// What the language costs on top of the core: `examples/seed.pt` (the W1 toy) run by the interpreter with
/// `--set steps=N`, against the same training step written in Swift on the core (``CoreBench/Toy``).
enum LangBench {
    /// Seconds to run `examples/seed.pt` with `steps` training steps in a fresh session (output discarded).
    static func seedScript(steps: Int) throws -> Double {
        let path = (ProcessInfo.processInfo.environment["PTUNE_REPO"] ?? FileManager.default.currentDirectoryPath)
            + "/examples/seed.pt"
        let options = SessionOptions(overrides: [try Override(parsing: "steps=\(steps)")])
        let session = Session(options: options, output: .discard)
        let t0 = Clock.now()
        _ = try session.runFile(path)
        return Clock.now() - t0
    }

    /// Steps per second of the seed toy in the language (the script's fixed cost, measured with 1 step, taken
    /// off) beside the Swift core loop, fastest of three runs each.
    static func run() throws -> Table {
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
        return t
    }
}
