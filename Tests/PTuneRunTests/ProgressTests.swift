import PTuneLang
import Testing
@testable import PTuneRun

@Suite struct ProgressTests {
    @Test func barShowsStepsTimesRateAndMetrics() {
        let line = ProgressLine.bar(label: "train pe", step: 250, total: 1000, elapsed: 5, loss: 0.43125,
                                    metrics: [("accuracy", 0.8125)], width: 120)
        #expect(line.hasPrefix("train pe ▕"))
        #expect(line.contains("250/1000"))
        #expect(line.contains("5.0s<15.0s"))
        #expect(line.contains("50.0 steps/s"))
        #expect(line.contains("loss 0.4313") && line.contains("accuracy 0.8125"))
        #expect(line.count <= 120)
        let narrow = ProgressLine.bar(label: "train pe", step: 250, total: 1000, elapsed: 5, loss: 0.43,
                                      metrics: [("accuracy", 0.8)], width: 50)
        #expect(narrow.count <= 50 && narrow.contains("250/1000"))
    }

    @Test func blocksFillInEighths() {
        #expect(ProgressLine.blocks(fraction: 0, width: 4) == "    ")
        #expect(ProgressLine.blocks(fraction: 0.5, width: 4) == "██  ")
        #expect(ProgressLine.blocks(fraction: 0.5625, width: 4) == "██▎ ")   // 2¼ cells: 2 full, 2 eighths
        #expect(ProgressLine.blocks(fraction: 1, width: 4) == "████")
        #expect(ProgressLine.duration(75) == "1:15" && ProgressLine.duration(3725) == "1:02:05")
    }

    func step(_ n: Int, log: Bool = false, done: Bool = false, elapsed: Double, eval: Double? = nil) -> TrainProgress {
        TrainProgress(name: "pe", step: n, totalSteps: 100, epoch: 1, loss: 1.0 / Double(n), evalMetric: eval, elapsed: elapsed,
                      isLogStep: log, isFinished: done)
    }

    @Test func logStyleWritesOneLinePerCadenceAndTheTimeToMessages() {
        var lines: [String] = [], messages: [String] = []
        let r = TrainingReporter(style: .log, bar: { messages.append($0) }, log: { text in lines.append(text) })
        for n in 1...100 { r.report(step(n, log: n % 25 == 0, done: n == 100, elapsed: Double(n) / 100)) }
        #expect(lines == ["step 25/100  epoch 1  loss 0.0400", "step 50/100  epoch 1  loss 0.0200",
                          "step 75/100  epoch 1  loss 0.0133", "step 100/100  epoch 1  loss 0.0100"])
        #expect(messages == ["train pe: 100 steps in 1.0s (100 steps/s)\n"])
        #expect(r.finals.count == 1 && r.finals[0].step == 100)
        #expect(r.metricsCSV.hasPrefix("block,step,epoch,loss,eval_name,eval,lr\npe,1,1,1.0,,,\npe,2,1,0.5,,,\n"))
    }

    @Test func barStyleRedrawsInPlaceAtMostTenTimesASecond() {
        var out = ""
        let r = TrainingReporter(style: .bar, bar: { text in out += text }, log: { text in Issue.record("no log lines on a terminal: \(text)") })
        for n in 1...100 { r.report(step(n, log: n % 10 == 0, done: n == 100, elapsed: Double(n) / 100)) }
        let draws = out.components(separatedBy: "\r").count - 1
        #expect(draws >= 10 && draws <= 12)
        #expect(out.hasSuffix("\n") && !r.barShowing)
    }

    @Test func evalMetricsReachLogLinesAndTheCSV() {
        var lines: [String] = []
        let r = TrainingReporter(style: .log, bar: { _ in }, log: { text in lines.append(text) })
        r.report(step(1, log: true, elapsed: 0.5, eval: 0.75))
        #expect(lines == ["step 1/100  epoch 1  loss 1.0000  eval 0.7500"])
        #expect(r.metricsCSV.hasSuffix("\npe,1,1,1.0,eval,0.75,\n"))
    }

    @Test func quietShowsNothingButKeepsTheNumbers() {
        let r = TrainingReporter(style: .quiet, bar: { _ in Issue.record("bar") }, log: { _ in Issue.record("log") })
        for n in 1...10 { r.report(step(n, log: true, done: n == 10, elapsed: 0)) }
        #expect(r.steps.count == 10)
    }
}
