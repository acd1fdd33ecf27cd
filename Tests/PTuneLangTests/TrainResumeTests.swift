import Foundation
import Testing
@testable import PTuneLang

/// A `train` block stopped at any step and resumed from its checkpoint gives exactly what the block gives when it
/// runs through: the same loss, eval and learning rate at every step, the same weights and the same generator after.
@Suite struct TrainResumeTests {
    /// What one run of a script printed and wrote.
    struct Outcome {
        var output: [String] = []
        var notes: [String] = []
        var error: String?
        var files: [String: String] = [:]
    }

    /// Runs `code` as `t.pt` in `folder` (created if missing) with `limits`, and reads the text files it wrote.
    static func run(_ code: String, in folder: URL, limits: Limits = Limits(), then more: String? = nil) throws -> Outcome {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("t.pt")
        try code.write(to: script, atomically: true, encoding: .utf8)
        var out = Outcome()
        var options = SessionOptions(limits: limits)
        options.fileAccess.allow(folder.path)
        let session = Session(options: options, output: OutputSink(write: { out.output.append($0) }, note: { out.notes.append($0) }))
        do { try session.runFile(script.path) } catch { out.error = error.diagnostics.first?.headline ?? "\(error)" }
        if let more { try session.run(SourceFile(name: "more.pt", text: more)) }
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".csv") {
            out.files[name] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        return out
    }

    static func scratch(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ptune-resume-\(name)-\(UUID().uuidString)")
    }

    /// A small p-tuning recipe: 40 rows in batches of 5 (8 steps an epoch), 4 epochs. `encoder` declares `pe`,
    /// `options` adds to the block, `predict` may use the random layer `drop`.
    static func recipe(encoder: String, options: String = "", optimizer: String = "adam(lr: 0.01)",
                       predict: String = "head(mean(llm(prompt(pe, x)), axis: 1))", targets: String = "pe",
                       resume: String = "resume: \"ck.ckpt\" if exists") -> String {
        """
        seed 7
        dtype float64
        model llm = mlp(6 -> 12 -> 6, act: gelu, residual: true) frozen
        model head = linear(6 -> 3) frozen
        model drop = dropout(0.3)
        \(encoder)
        data d = synthetic_classes(n: 40, seq: 3, dim: 6, classes: 3)
        data val = synthetic_classes(n: 12, seq: 3, dim: 6, classes: 3)
        fn predict(x) = \(predict)
        let run = train \(targets) on d {
          loss: cross_entropy(predict(batch.x), batch.y)
          optimizer: \(optimizer)
          batch: 5
          epochs: 4
          log_file: "log.csv"
          checkpoint: "ck.ckpt" every 100 steps
          \(resume)
          \(options)
        }
        print run.steps, run.best_step, run.stopped_early, run.lr[run.steps - 1], run.final_loss
        print item(sum(pe())), item(sum(randn(3)))
        """
    }

    static let encoders = [
        "encoder pe = embedding(2, 6)",
        "encoder pe = mlp(2, 6, hidden: 8)",
        "encoder pe = lstm(2, 6, hidden: 4, dropout: 0.2)",
        "encoder pe = scale(randn(2, 6))",
    ]

    static let variants: [(name: String, options: String, optimizer: String, predict: String?)] = [
        ("plain", "", "adam(lr: 0.01)", nil),
        ("schedule and clip", "schedule: cosine(warmup: 3)\n  clip: 0.5", "adamw(lr: 0.02, weight_decay: 0.1)", nil),
        ("eval, patience, restore_best", "eval: item(cross_entropy(predict(val.x), val.y)) every 3 steps\n  patience: 6\n  restore_best: true",
         "adam(lr: 0.05)", nil),
        ("no shuffle, sgd, random layer", "shuffle: false", "sgd(lr: 0.1, momentum: 0.9)", "head(mean(drop(llm(prompt(pe, x))), axis: 1))"),
    ]

    /// Every encoder kind × every variant × stops mid-epoch, at an epoch's end, after the first and before the last
    /// step: the resumed run's log, history, weights and generator equal the uninterrupted run's.
    @Test(arguments: encoders)
    func resumedRunsMatchUninterruptedOnes(_ encoder: String) throws {
        for v in Self.variants {
            let code = Self.recipe(encoder: encoder, options: v.options, optimizer: v.optimizer,
                                   predict: v.predict ?? "head(mean(llm(prompt(pe, x)), axis: 1))")
            let fullDir = Self.scratch("full")
            defer { try? FileManager.default.removeItem(at: fullDir) }
            let full = try Self.run(code, in: fullDir)
            #expect(full.error == nil, "\(v.name): \(full.error ?? "")")
            let log = try #require(full.files["log.csv"])
            #expect(log.split(separator: "\n").count >= 10, "\(v.name)")
            for stop in [1, 11, 16, 31] {
                let dir = Self.scratch("stop")
                defer { try? FileManager.default.removeItem(at: dir) }
                let stopped = try Self.run(code, in: dir, limits: Limits(maxSteps: stop))
                // A block that stops early on patience before `stop` simply finishes.
                if let error = stopped.error {
                    #expect(error.contains("at step \(stop) of 32") && error.contains("'ck.ckpt' holds step \(stop)"), "\(v.name): \(error)")
                    #expect(stopped.files["log.csv"]?.split(separator: "\n").count == stop + 1, "\(v.name) at \(stop)")
                }
                let resumed = try Self.run(code, in: dir)
                #expect(resumed.error == nil, "\(v.name) at \(stop): \(resumed.error ?? "")")
                #expect(resumed.files["log.csv"] == log, "\(encoder), \(v.name), stopped at \(stop)")
                #expect(resumed.output == full.output, "\(encoder), \(v.name), stopped at \(stop)")
                if stopped.error != nil { #expect(resumed.notes.contains("note: resuming 'pe' from 'ck.ckpt' at step \(stop) of 32")) }
            }
        }
    }

    /// Params and models train and resume too, together with an encoder.
    @Test func paramsAndModelsResume() throws {
        let code = Self.recipe(encoder: "encoder pe = mlp(2, 6, hidden: 8)\nmodel adapter = linear(6 -> 6)\nparam bias = zeros(3)",
                               options: "eval: item(cross_entropy(predict(val.x), val.y)) every 4 steps\n  restore_best: true",
                               predict: "head(mean(adapter(llm(prompt(pe, x))), axis: 1)) + bias", targets: "pe, adapter, bias")
        let fullDir = Self.scratch("full")
        defer { try? FileManager.default.removeItem(at: fullDir) }
        let full = try Self.run(code + "\nprint item(sum(adapter(ones(1, 6)))), item(sum(bias))", in: fullDir)
        #expect(full.error == nil, "\(full.error ?? "")")
        let dir = Self.scratch("stop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let stopped = try Self.run(code, in: dir, limits: Limits(maxSteps: 13))
        #expect(stopped.error?.contains("the parameters have the weights of the best eval (step 12)") == true, "\(stopped.error ?? "")")
        let resumed = try Self.run(code + "\nprint item(sum(adapter(ones(1, 6)))), item(sum(bias))", in: dir)
        #expect(resumed.error == nil, "\(resumed.error ?? "")")
        #expect(resumed.output == full.output)
        #expect(resumed.files["log.csv"] == full.files["log.csv"])
    }

    /// A periodic checkpoint (not one written on interruption) resumes exactly too: here the block fails at step 7
    /// with an error, which writes no checkpoint, so the one of step 4 is what resumes.
    @Test func periodicCheckpointsResume() throws {
        let setup = "encoder pe = lstm(2, 6, hidden: 4, dropout: 0.2)\nlet opt = adam([pe], lr: 0.01)\n"
        let code = Self.recipe(encoder: setup, optimizer: "opt").replacingOccurrences(of: "every 100 steps", with: "every 4 steps")
        let fullDir = Self.scratch("full")
        defer { try? FileManager.default.removeItem(at: fullDir) }
        let full = try Self.run(code, in: fullDir)
        #expect(full.error == nil, "\(full.error ?? "")")
        // An assert in the loss fails when step 7 computes it.
        let dir = Self.scratch("fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = Self.recipe(encoder: setup + "fn counted(l) {\n  assert opt.steps < 6, \"boom\"\n  return l\n}", optimizer: "opt")
            .replacingOccurrences(of: "every 100 steps", with: "every 4 steps")
            .replacingOccurrences(of: "loss: cross_entropy(predict(batch.x), batch.y)", with: "loss: counted(cross_entropy(predict(batch.x), batch.y))")
        let failed = try Self.run(broken, in: dir)
        #expect(failed.error?.contains("assertion failed: boom") == true, "\(failed.error ?? "")")
        #expect(failed.files["log.csv"]?.split(separator: "\n").count == 7)   // header + 6 finished steps
        let resumed = try Self.run(code, in: dir)
        #expect(resumed.notes.contains("note: resuming 'pe' from 'ck.ckpt' at step 4 of 32"), "\(resumed.notes)")
        #expect(resumed.output == full.output)
        #expect(resumed.files["log.csv"] == full.files["log.csv"])
    }

    /// A finished checkpoint continues into a longer run when the schedule does not depend on the length: the same
    /// steps as a run planned that long from the start. A schedule that depends on it refuses.
    @Test func longerRunsContinueFinishedCheckpoints() throws {
        let short = Self.recipe(encoder: "encoder pe = mlp(2, 6, hidden: 8)")
        let long = short.replacingOccurrences(of: "epochs: 4", with: "epochs: 6")
        let fullDir = Self.scratch("long")
        defer { try? FileManager.default.removeItem(at: fullDir) }
        let full = try Self.run(long, in: fullDir)
        let dir = Self.scratch("extend")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.run(short, in: dir)
        let extended = try Self.run(long, in: dir)
        #expect(extended.error == nil, "\(extended.error ?? "")")
        #expect(extended.notes.contains("note: resuming 'pe' from 'ck.ckpt' at step 32 of 48"), "\(extended.notes)")
        #expect(extended.files["log.csv"] == full.files["log.csv"])
        #expect(extended.output.dropFirst() == full.output.dropFirst())   // the weights, history and generator after
        // Rerunning a finished block takes no step and gives the same history.
        let again = try Self.run(long, in: dir)
        #expect(again.output == extended.output && again.files["log.csv"] == full.files["log.csv"])

        let cosine = Self.recipe(encoder: "encoder pe = mlp(2, 6, hidden: 8)", options: "schedule: cosine()")
        let cdir = Self.scratch("cosine")
        defer { try? FileManager.default.removeItem(at: cdir) }
        _ = try Self.run(cosine, in: cdir)
        let refused = try Self.run(cosine.replacingOccurrences(of: "epochs: 4", with: "epochs: 6"), in: cdir)
        #expect(refused.error == "t.pt:10:1: error: cannot resume from 'ck.ckpt': it was written by another recipe: total steps 48 here, 32 in the checkpoint; schedule cosine(warmup: 0, over 48 steps) here, cosine(warmup: 0, over 32 steps) in the checkpoint",
                "\(refused.error ?? "")")
    }

    /// Another encoder shape, another dataset or other targets are refused with what differs.
    @Test func otherShapesDataAndTargetsAreRefused() throws {
        let dir = Self.scratch("refuse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = Self.recipe(encoder: "encoder pe = mlp(2, 6, hidden: 8)")
        _ = try Self.run(code, in: dir)
        let wider = try Self.run(code.replacingOccurrences(of: "hidden: 8", with: "hidden: 9"), in: dir)
        #expect(wider.error?.hasPrefix("t.pt:10:1: error: cannot resume from 'ck.ckpt': it was written by another recipe: 'pe' is mlp(2 × 6, hidden 9, float64) here, mlp(2 × 6, hidden 8, float64) in the checkpoint; data ") == true,
                "\(wider.error ?? "")")
        let data = try Self.run(code.replacingOccurrences(of: "n: 40, seq", with: "n: 45, seq"), in: dir)
        #expect(data.error?.contains("it was written by another recipe: rows 45 here, 40 in the checkpoint; data ") == true, "\(data.error ?? "")")
        let targets = try Self.run(code.replacingOccurrences(of: "model drop = dropout(0.3)", with: "param drop = zeros(3)")
            .replacingOccurrences(of: "train pe on", with: "train pe, drop on"), in: dir)
        #expect(targets.error?.hasSuffix("cannot resume from 'ck.ckpt': it trains encoder 'pe'; this block trains encoder 'pe', param 'drop'") == true,
                "\(targets.error ?? "")")
    }

    /// A block stopped by the user binds its history (`run`) with every finished step and writes its log; the
    /// session goes on.
    @Test func stoppedBlocksKeepTheirHistory() throws {
        let dir = Self.scratch("history")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = Self.recipe(encoder: "encoder pe = embedding(2, 6)")
            .replacingOccurrences(of: "\nprint run.steps", with: "\nlet never = 1\nprint run.steps")
        let out = try Self.run(code, in: dir, limits: Limits(maxSteps: 13),
                               then: "print run.steps, len(run.loss), len(run.lr), run.interrupted, run.total_steps")
        #expect(out.error?.contains("at step 13 of 32") == true)
        #expect(out.output == ["13 13 13 true 32"])
        #expect(out.files["log.csv"]?.split(separator: "\n").count == 14)
    }
}
