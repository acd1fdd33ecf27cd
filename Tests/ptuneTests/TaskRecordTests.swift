import Foundation
import Testing
@testable import PTuneRun

/// A `train` block with several tasks (`task:`, a record of encoders) keeps each task's eval in the run record, the
/// block's `log_file` and `ptune runs table`; `examples/multitask.pt` runs cut short.
@Suite struct TaskRecordTests {
    static let recipe = """
        seed 4
        let lr = 0.3
        model g = gpt(40, 8, 2, 2, 16) frozen
        encoder a = embedding(3, g)
        encoder b = embedding(3, g)
        let tasks = {x: a, y: b}
        data d = dataset(ids: randint(0, 40, [8, 2]), label: tensor([1, 0, 0, 1, 1, 0, 1, 0]).to("int64"),
                         task: ["x", "y", "y", "x", "x", "y", "x", "x"])
        fn logits(e, ids) = g.forward(ids, encoder: e)[:, -1, 0:2]
        let run = train tasks on d {
          task: batch.task
          loss: cross_entropy(logits(tasks[task], batch.ids), batch.label)
          optimizer: adam(lr: lr)
          batch: 4
          steps: 8
          eval: accuracy(logits(tasks[task], batch.ids), batch.label) every 4 steps
          eval_data: d
          log_file: "metrics-by-task.csv"
        }
        print run.task_eval.x[1], run.task_eval.y[1], run.eval[1]

        """

    @Test func eachTasksEvalIsRecordedLoggedAndTabled() throws {
        let dir = try PtuneProcess.temporaryFolder("task-record")
        defer { try? FileManager.default.removeItem(at: dir) }
        try TaskRecordTests.recipe.write(to: dir.appendingPathComponent("tasks.pt"), atomically: true, encoding: .utf8)
        for (name, lr) in [("a", "0.3"), ("b", "0.01")] {
            let r = try PtuneProcess.run(["--record", "runs/\(name)", "--set", "lr=\(lr)", "tasks.pt"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            // The printed evals are the record's: each task's, and the overall one their mean weighted by rows (5 x, 3 y).
            let printed = r.stdout.split(separator: "\n").last.map { $0.split(separator: " ").compactMap { Double($0) } } ?? []
            #expect(printed.count == 3)
            let record = try RunRecord.read(from: dir.appendingPathComponent("runs/\(name)/record.json").path)
            let final = try #require(record.finalMetrics.last)
            #expect(final.taskEvals?.keys.sorted() == ["x", "y"])
            if printed.count == 3, let x = final.taskEvals?["x"], let y = final.taskEvals?["y"], let e = final.eval {
                #expect([x, y, e] == printed)
                #expect(abs(e - (5 * x + 3 * y) / 8) < 1e-12)
            }
            // TensorBoard gets a scalar per task beside the overall eval.
            let events = try Data(contentsOf: dir.appendingPathComponent("runs/\(name)/" + (try #require(record.eventsFile))))
            #expect(String(decoding: events, as: UTF8.self).contains("eval_x") && String(decoding: events, as: UTF8.self).contains("eval_y"))
            let csv = try String(contentsOf: dir.appendingPathComponent("metrics-by-task.csv"), encoding: .utf8)
            let lines = csv.split(separator: "\n")
            #expect(lines.first == "step,epoch,loss,eval,lr,eval_x,eval_y")
            #expect(lines.count == 9)
            #expect(lines.last?.hasSuffix(",\(Self.shortest(final.taskEvals?["x"])),\(Self.shortest(final.taskEvals?["y"]))") == true,
                    "\(lines.last ?? "")")
        }
        let table = try PtuneProcess.run(["runs", "table", "runs", "--format", "csv"], in: dir)
        #expect(table.status == 0, "\(table.stderr)")
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(rows.first)
        let ix = try #require(header.firstIndex(of: "eval_x")), iy = try #require(header.firstIndex(of: "eval_y"))
        #expect(ix < iy && header.firstIndex(of: "best_eval").map { $0 < ix } == true, "\(header)")
        for (row, name) in zip(rows.dropFirst(), ["a", "b"]) {
            let record = try RunRecord.read(from: dir.appendingPathComponent("runs/\(name)/record.json").path)
            #expect(Double(row[ix]) == record.finalMetrics.last?.taskEvals?["x"], "\(row)")
            #expect(Double(row[iy]) == record.finalMetrics.last?.taskEvals?["y"], "\(row)")
        }
    }

    /// How the log file writes a number (the shortest form that reads back exactly; integers without a fraction).
    static func shortest(_ x: Double?) -> String {
        guard let x else { return "" }
        return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// The PyTorch export trains one PEFT encoder: a block with several tasks is refused, at the block, with nothing
    /// written.
    @Test func theTorchExportRefusesSeveralTasks() throws {
        let dir = try PtuneProcess.temporaryFolder("task-export")
        defer { try? FileManager.default.removeItem(at: dir) }
        try TaskRecordTests.recipe.write(to: dir.appendingPathComponent("tasks.pt"), atomically: true, encoding: .utf8)
        let r = try PtuneProcess.run(["export", "torch", "tasks.pt", "out"], in: dir)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("tasks.pt:10:1: error: cannot export to PyTorch: 'task:' and 'eval_data:' train one encoder per task"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing is written")
    }

    /// The same kind of block typed into the REPL, line by line (the block continues over its lines); a later line's
    /// data with a task the record has no encoder for is refused.
    @Test func aBlockWithSeveralTasksRunsInTheREPL() throws {
        let lines = """
            seed 4
            model g = gpt(40, 8, 2, 2, 16) frozen
            let tasks = {x: embedding_encoder(2, g), y: embedding_encoder(2, g)}
            data d = dataset(ids: randint(0, 40, [4, 2]), label: tensor([1, 0, 0, 1]).to("int64"), task: ["x", "y", "y", "x"])
            let run = train tasks on d {
              task: batch.task
              loss: cross_entropy(g.forward(batch.ids, encoder: tasks[task])[:, -1, 0:2], batch.label)
              optimizer: adam(lr: 0.3)
              batch: 2
              steps: 4
              eval: accuracy(g.forward(batch.ids, encoder: tasks[task])[:, -1, 0:2], batch.label)
              eval_data: d
            }
            run.task_eval
            data bad = dataset(ids: randint(0, 40, [2, 2]), label: tensor([1, 0]).to("int64"), task: ["x", "z"])
            train tasks on bad { task: batch.task; loss: sum(g.forward(batch.ids, encoder: tasks[task])); optimizer: sgd(lr: 0.1) }

            """
        let r = try PtuneProcess.run([], input: lines)
        #expect(r.stdout.contains("trained tasks: 4 steps, loss 0.7218 -> 0.8226, best eval 0.5000 at step 2 (x 0.0000, y 1.0000)"), "\(r.stdout)")
        #expect(r.stdout.contains("{x: [0, 0], y: [1, 1]}"), "\(r.stdout)")
        #expect(r.stderr.contains("error: train: row 1 of the data has task 'z', but 'tasks' has no encoder for it (its tasks: 'x', 'y')"), "\(r.stderr)")
    }

    @Test func theMultitaskExampleRunsCutShort() throws {
        let home = ProcessInfo.processInfo.environment["PTUNE_HOME"] ?? (NSHomeDirectory() + "/.cache/ptune")
        guard FileManager.default.fileExists(atPath: home + "/models/smollm2-135m") else {
            Issue.record("SmolLM2 is absent: run scripts/fetch-models smollm2-135m")
            return
        }
        let r = try PtuneProcess.run(["--set", "steps=2", "examples/multitask.pt"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("step 2/2  epoch 1  loss "), "\(r.stdout)")
        #expect(r.stdout.contains(" (sentiment "), "\(r.stdout)")
        #expect(r.stdout.contains("held-out accuracy by task: {sentiment: ["), "\(r.stdout)")
    }
}
