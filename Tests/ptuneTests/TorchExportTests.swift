import Foundation
import Testing

/// `ptune export torch` end to end on SmolLM2: the exported train.py, run by PyTorch + PEFT on CPU, reproduces
/// ptune's per-step losses; `accelerate launch` with two processes (DDP over gloo) ends at ptune's accuracy; the
/// adapter it saves imports into ptune with the accuracy PEFT computed, and its run record reads in `ptune runs`.
/// Needs the interop Python environment (`PTUNE_PYTHON`, made by scripts/test) and the SmolLM2 GGUF.
@Suite(.serialized) struct TorchExportTests {
    static var python: URL? { EditorIntegrationTests.python }

    /// The SmolLM2 GGUF in the cache (`$PTUNE_HOME`, default ~/.cache/ptune).
    static var smollm2: String {
        let env = ProcessInfo.processInfo.environment
        let home = env["PTUNE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache/ptune")
        return home + "/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    static var available: Bool { python != nil && FileManager.default.fileExists(atPath: smollm2) }

    static let skip: Comment = "the export test needs PTUNE_PYTHON (scripts/test makes it) and SmolLM2 (scripts/fetch-models)"

    /// examples/sentiment.pt cut to 20 steps of 4 rows (AdamW 3e-3), evaluated on 100 held-out test rows at the end.
    static let recipe = """
        seed 0
        let data_dir = "data/reviews"
        let train_n = 80
        let test_n = 100
        let virtual = 10
        let hidden = 256
        let lr = 0.003
        let batch_size = 4
        let epochs = 1
        let eval_every = 20
        let template = "Review: {text}\\nSentiment:"

        model lm = load("smollm2-135m")
        data train = take(read_jsonl(cached(data_dir + "/train.jsonl")), train_n)
        data test = take(read_jsonl(cached(data_dir + "/test.jsonl")), test_n)
        let words = [" negative", " positive"]

        fn scores(d, enc) = label_logits(lm, d.text, words, encoder: enc, template: template)
        encoder pe = mlp(virtual, lm.dim, hidden: hidden)
        let run = train pe on train {
          loss: cross_entropy(label_logits(lm, batch.text, words, encoder: pe, template: template), batch.label)
          optimizer: adamw(lr: lr)
          batch: batch_size
          epochs: epochs
          eval: accuracy(scores(test, pe), test.label) every eval_every steps
          goal: "max"
        }

        """

    /// The loss column (and the last eval) of a metrics.csv.
    static func metrics(_ url: URL) throws -> (losses: [Double], lastEval: Double?) {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        let loss = try #require(header.firstIndex(of: "loss")), eval = try #require(header.firstIndex(of: "eval"))
        return (lines.compactMap { Double($0[loss]) }, lines.last.flatMap { Double($0[eval]) })
    }

    static func record(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("record.json"))) as? [String: Any])
    }

    static func runPython(_ arguments: [String], in dir: URL) throws -> ProcessRunner.Outcome {
        let python = try #require(TorchExportTests.python)
        return try ProcessRunner.run(python, arguments, in: dir, seconds: 1500, environment: [
            "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
        ])
    }

    /// SmolLM2 as the float32 Hugging Face folder PEFT needs: `PTUNE_SMOLLM2_HF_FOLDER`, else written from the GGUF.
    static func smollm2Folder(in dir: URL) throws -> String {
        if let given = ProcessInfo.processInfo.environment["PTUNE_SMOLLM2_HF_FOLDER"], !given.isEmpty { return given }
        let script = PtuneProcess.packageRoot.appendingPathComponent("Tests/PTuneModelsTests/Fixtures/interop/smollm2_hf_folder.py").path
        let r = try runPython([script, smollm2, "smol-f32"], in: dir)
        #expect(r.status == 0, "smollm2_hf_folder.py: \(r.stderr.suffix(2000))")
        return dir.appendingPathComponent("smol-f32").path
    }

    /// The test accuracy ptune gives the PEFT adapter in `adapter` (read by `import_peft`) on the first 100 test reviews.
    static func importedAccuracy(_ adapter: String, in dir: URL) throws -> Double {
        let back = """
            model lm = load("smollm2-135m")
            data test = take(read_jsonl(cached("data/reviews/test.jsonl")), 100)
            encoder a = import_peft("\(adapter)")
            print accuracy(label_logits(lm, test.text, [" negative", " positive"], encoder: a, template: "Review: {text}\\nSentiment:"), test.label)
            """
        let imported = try PtuneProcess.run(["--quiet", "-e", back], in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        return try #require(Double(imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// The largest relative difference of the first `n` losses.
    static func worst(_ a: [Double], _ b: [Double], first n: Int) -> Double {
        zip(a.prefix(n), b.prefix(n)).map { abs($0 - $1) / abs($0) }.max() ?? .infinity
    }

    /// Two parts. The recipe at its own rate (AdamW 3e-3) for 2 steps: an AdamW update as PyTorch makes it. Past the
    /// first few updates this encoder's sharp loss amplifies float32 rounding in any implementation — PyTorch against
    /// itself, its initial weights perturbed by 1e-6, differs by 7e-5 at step 3 and 7% at step 6 — so the 20-step comparisons (losses,
    /// one process and two, the adapter coming back) run the recipe with `--set lr=0`, where everything else the
    /// export carries (rows and order of every step, template, label words, initial weights, loss, eval) must agree.
    @Test(.enabled(if: available, skip))
    func exportedProjectReproducesPtuneInPyTorchAndComesBack() throws {
        let dir = try PtuneProcess.temporaryFolder("torch-export")
        defer { try? FileManager.default.removeItem(at: dir) }
        try TorchExportTests.recipe.write(to: dir.appendingPathComponent("small.pt"), atomically: true, encoding: .utf8)
        let model = try TorchExportTests.smollm2Folder(in: dir)
        let serial = ["OPENBLAS_NUM_THREADS": "1"]

        let export = try PtuneProcess.run(["export", "torch", "--set", "lr=0", "small.pt", "proj"], in: dir)
        #expect(export.status == 0, "\(export.stderr)")
        for name in ["train.py", "requirements.txt", "README.md", "recipe.json", "encoder_init.safetensors",
                     "data/train.jsonl", "data/eval.jsonl", "data/batches.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("proj/" + name).path), "missing \(name)")
        }
        let trainPy = try String(contentsOf: dir.appendingPathComponent("proj/train.py"), encoding: .utf8)
        #expect(!trainPy.contains("import ptune") && !trainPy.contains("from ptune"), "train.py must not need ptune")
        // requirements.txt pins what the test environment runs.
        let tested = try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent("scripts/requirements-test.txt"), encoding: .utf8)
        let pins = try String(contentsOf: dir.appendingPathComponent("proj/requirements.txt"), encoding: .utf8).split(separator: "\n")
        for pin in pins {
            #expect(tested.split(separator: "\n").contains { $0 == pin || $0 == pin + "+cpu" }, "requirements.txt pins \(pin), the tests run another version")
        }

        // ptune's own run, recorded, and train.py in one process: the loss of every one of the 20 steps.
        let ours = try PtuneProcess.run(["--quiet", "--set", "lr=0", "--record", "rec", "small.pt"], in: dir, environment: serial)
        #expect(ours.status == 0, "\(ours.stderr)")
        let ptune = try TorchExportTests.metrics(dir.appendingPathComponent("rec/metrics.csv"))
        #expect(ptune.losses.count == 20 && Set(ptune.losses).count == 20, "\(ptune.losses)")
        let ptuneAccuracy = try #require(ptune.lastEval)
        let single = try TorchExportTests.runPython(["proj/train.py", "--model", model, "--out", "out1"], in: dir)
        #expect(single.status == 0, "train.py: \(single.stderr.suffix(3000))")
        let torch = try TorchExportTests.metrics(dir.appendingPathComponent("out1/metrics.csv"))
        #expect(torch.losses.count == 20)
        let worst = TorchExportTests.worst(ptune.losses, torch.losses, first: 20)
        #expect(worst <= 1e-3, "per-step losses differ by \(worst) relative:\nptune \(ptune.losses)\ntorch \(torch.losses)")
        let peftAccuracy = try #require(torch.lastEval)
        #expect(abs(peftAccuracy - ptuneAccuracy) <= 0.015, "PEFT \(peftAccuracy), ptune \(ptuneAccuracy)")

        // Two processes, DDP over gloo: the same effective batch, the same accuracy within 1.5 points. (accelerate's
        // `--cpu --num_processes 2` starts one process unless mpirun is set up; `--multi_gpu` on a machine without
        // GPUs starts two, which accelerate runs as MULTI_CPU over gloo.)
        let ddp = try TorchExportTests.runPython(["-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                                                  "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                                                  "proj/train.py", "--model", model, "--out", "out2"], in: dir)
        #expect(ddp.status == 0, "accelerate launch: \(ddp.stderr.suffix(3000))")
        let two = try TorchExportTests.record(dir.appendingPathComponent("out2"))
        #expect(two["processes"] as? Int == 2 && two["batch_size"] as? Int == 4, "\(two)")
        let ddpMetrics = try TorchExportTests.metrics(dir.appendingPathComponent("out2/metrics.csv"))
        let ddpWorst = TorchExportTests.worst(ptune.losses, ddpMetrics.losses, first: 20)
        #expect(ddpMetrics.losses.count == 20 && ddpWorst <= 1e-3, "DDP losses differ by \(ddpWorst): \(ddpMetrics.losses)")
        let ddpAccuracy = try #require(ddpMetrics.lastEval)
        #expect(abs(ddpAccuracy - ptuneAccuracy) <= 0.015, "DDP \(ddpAccuracy), ptune \(ptuneAccuracy)")

        // The adapter comes back: ptune scores it as PEFT did, and reads the run record.
        let accuracy = try TorchExportTests.importedAccuracy("out1/adapter", in: dir)
        #expect(accuracy == peftAccuracy, "ptune scores the imported adapter \(accuracy), PEFT \(peftAccuracy)")
        let table = try PtuneProcess.run(["runs", "table", "out1"], in: dir)
        #expect(table.status == 0 && table.stdout.contains("out1"), "\(table.stdout)\(table.stderr)")

        // The recipe's own rate, 2 steps: an AdamW update as PyTorch makes it.
        let short = try PtuneProcess.run(["export", "torch", "--set", "train_n=8", "small.pt", "proj-adamw"], in: dir)
        #expect(short.status == 0, "\(short.stderr)")
        let oursAdamW = try PtuneProcess.run(["--quiet", "--set", "train_n=8", "--record", "rec-adamw", "small.pt"], in: dir, environment: serial)
        #expect(oursAdamW.status == 0, "\(oursAdamW.stderr)")
        let adamw = try TorchExportTests.runPython(["proj-adamw/train.py", "--model", model, "--out", "out-adamw"], in: dir)
        #expect(adamw.status == 0, "train.py: \(adamw.stderr.suffix(3000))")
        let a = try TorchExportTests.metrics(dir.appendingPathComponent("rec-adamw/metrics.csv")).losses
        let b = try TorchExportTests.metrics(dir.appendingPathComponent("out-adamw/metrics.csv")).losses
        #expect(a.count == 2 && b.count == 2 && TorchExportTests.worst(a, b, first: 2) <= 1e-3, "AdamW steps: ptune \(a), torch \(b)")
    }

    /// Deep prompts (PEFT's PREFIX_TUNING), a plain table and a projection, 4 steps of 4 rows each: train.py's
    /// losses equal ptune's step by step, its eval ends at ptune's accuracy, and its adapter comes back through
    /// `import_peft` scoring as PEFT did. The projection trains at 3e-4: at the recipe's 3e-3 its loss is sharp
    /// enough that rounding alone parts the two after the second step (0.6% at step 3), as for the MLP above.
    @Test(.enabled(if: available, skip), arguments: [("prefix(virtual, lm)", "0.003"), ("prefix(virtual, lm, projection: 32)", "0.0003")])
    func prefixEncodersReproducePtuneInPyTorch(encoder: String, lr: String) throws {
        let dir = try PtuneProcess.temporaryFolder("torch-export-prefix")
        defer { try? FileManager.default.removeItem(at: dir) }
        let recipe = TorchExportTests.recipe.replacingOccurrences(of: "mlp(virtual, lm.dim, hidden: hidden)", with: encoder)
            .replacingOccurrences(of: "let train_n = 80", with: "let train_n = 16")
        #expect(recipe.contains("encoder pe = " + encoder))
        try recipe.write(to: dir.appendingPathComponent("deep.pt"), atomically: true, encoding: .utf8)
        let model = try TorchExportTests.smollm2Folder(in: dir)
        let export = try PtuneProcess.run(["export", "torch", "--set", "lr=" + lr, "deep.pt", "proj"], in: dir)
        #expect(export.status == 0 && export.stdout.contains("prefix encoder"), "\(export.stdout)\(export.stderr)")
        let ours = try PtuneProcess.run(["--quiet", "--set", "lr=" + lr, "--record", "rec", "deep.pt"], in: dir,
                                        environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(ours.status == 0, "\(ours.stderr)")
        let ptune = try TorchExportTests.metrics(dir.appendingPathComponent("rec/metrics.csv"))
        let run = try TorchExportTests.runPython(["proj/train.py", "--model", model, "--out", "out"], in: dir)
        #expect(run.status == 0, "train.py: \(run.stderr.suffix(3000))")
        #expect(!run.stderr.contains("starts from PEFT's own random weights"), "\(run.stderr.suffix(2000))")
        let torch = try TorchExportTests.metrics(dir.appendingPathComponent("out/metrics.csv"))
        #expect(ptune.losses.count == 4 && torch.losses.count == 4 && Set(ptune.losses).count == 4, "\(ptune.losses) \(torch.losses)")
        let worst = TorchExportTests.worst(ptune.losses, torch.losses, first: 4)
        #expect(worst <= 1e-3, "per-step losses differ by \(worst) relative:\nptune \(ptune.losses)\ntorch \(torch.losses)")
        let peftAccuracy = try #require(torch.lastEval), ptuneAccuracy = try #require(ptune.lastEval)
        #expect(abs(peftAccuracy - ptuneAccuracy) <= 0.015, "PEFT \(peftAccuracy), ptune \(ptuneAccuracy)")
        let accuracy = try TorchExportTests.importedAccuracy("out/adapter", in: dir)
        #expect(abs(accuracy - peftAccuracy) <= 0.011, "ptune scores the imported adapter \(accuracy), PEFT \(peftAccuracy)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: smollm2), "needs SmolLM2 (scripts/fetch-models)"))
    func constructsPEFTCannotExpressAreRefusedOneLineEach() throws {
        let dir = try PtuneProcess.temporaryFolder("torch-refuse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let head = """
            model lm = load("smollm2-135m")
            data d = dataset(text: ["a good film", "a bad film"], label: to([1, 0], "int64"))
            encoder pe = mlp(4, lm.dim, hidden: 8)
            model probe = linear(2 -> 2)
            let words = [" negative", " positive"]

            """
        let custom = head + """
            train pe, probe on d {
              loss: cross_entropy(label_logits(lm, batch.text, words, encoder: pe, template: "{text}"), batch.label) * 2
              optimizer: adam(lr: 0.01)
              resume: "x.ckpt" if exists
            }
            print "after"

            """
        try custom.write(to: dir.appendingPathComponent("custom.pt"), atomically: true, encoding: .utf8)
        let r = try PtuneProcess.run(["export", "torch", "custom.pt", "out"], in: dir)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("custom.pt:") }
        #expect(errors.count == 3, "\(r.stderr)")
        #expect(errors.contains { $0.hasPrefix("custom.pt:6:11: error: cannot export to PyTorch: 'probe' is not a prompt encoder") }, "\(r.stderr)")
        #expect(errors.contains { $0.hasPrefix("custom.pt:6:1: error: cannot export to PyTorch: 'resume:'") }, "\(r.stderr)")
        #expect(errors.contains { $0.contains("the loss is not cross_entropy(label_logits(…), batch.LABEL)") }, "\(r.stderr)")
        #expect(!r.stdout.contains("after"), "nothing after the train block runs")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing is written")

        let inside = head + """
            train pe on d {
              loss: cross_entropy(label_logits(lm, batch.text, words, encoder: pe, template: "Review: {text} <v:4>\\nSentiment:"), batch.label)
              optimizer: adam(lr: 0.01)
              eval: accuracy(label_logits(lm, d.text, words, template: "{text}"), d.label)
            }

            """
        try inside.write(to: dir.appendingPathComponent("inside.pt"), atomically: true, encoding: .utf8)
        let i = try PtuneProcess.run(["export", "torch", "inside.pt", "out"], in: dir)
        #expect(i.status == 1, "\(i.stderr)")
        let lines = i.stderr.split(separator: "\n").filter { $0.hasPrefix("inside.pt:") }
        #expect(lines.count == 3, "\(i.stderr)")
        #expect(lines.contains { $0.contains("the eval scores with another model, label words or template than the loss") }, "\(i.stderr)")
        // One line per construct: the template's newline is written as the script writes it.
        #expect(lines.contains { $0.contains("the template \"Review: {text} <v:4>\\nSentiment:\" places virtual tokens inside the text") }, "\(i.stderr)")
        #expect(lines.contains { $0.contains("the eval does not score with the trained encoder") }, "\(i.stderr)")

        // Label words of several tokens score as summed log-probabilities, which train.py does not compute.
        let multi = head + """
            train pe on d {
              loss: cross_entropy(label_logits(lm, batch.text, [" very bad", " positive"], encoder: pe), batch.label)
              optimizer: adam(lr: 0.01)
            }

            """
        try multi.write(to: dir.appendingPathComponent("multi.pt"), atomically: true, encoding: .utf8)
        let m = try PtuneProcess.run(["export", "torch", "multi.pt", "out"], in: dir)
        #expect(m.status == 1, "\(m.stderr)")
        let refused = m.stderr.split(separator: "\n").filter { $0.hasPrefix("multi.pt:") }
        #expect(refused.count == 1 && refused[0].contains("the label word ' very bad' is 2 tokens"), "\(m.stderr)")
    }
}
