import Foundation
import Testing
@testable import PTuneRun

/// Every recorded run writes a TensorBoard event file; TensorBoard's own reader (the `tensorboard` package, in the
/// interop Python environment) reads it back, checking every record's CRCs, and every value must equal the run's
/// metrics.csv (as float32, what a scalar summary holds).
@Suite struct TensorBoardTests {
    static var python: URL? {
        guard let p = ProcessInfo.processInfo.environment["PTUNE_PYTHON"], !p.isEmpty,
              FileManager.default.isExecutableFile(atPath: p) else { return nil }
        return URL(fileURLWithPath: p)
    }

    /// Reads an event file with TensorBoard's loader and prints `tag step value` per scalar (value as float32
    /// bits), after checking each record's length and data CRCs with TensorBoard's own masked CRC-32C.
    static let reader = """
    from struct import pack, unpack
    from sys import argv
    from tensorboard.backend.event_processing import event_file_loader
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    path = argv[1]
    data = open(path, "rb").read()
    i = records = 0
    while i < len(data):
        header = data[i:i + 8]
        (n,) = unpack("<Q", header)
        (crc,) = unpack("<I", data[i + 8:i + 12])
        assert crc == masked_crc32c(header), "length crc"
        body = data[i + 12:i + 12 + n]
        (crc,) = unpack("<I", data[i + 12 + n:i + 16 + n])
        assert crc == masked_crc32c(body), "data crc"
        i += 16 + n
        records += 1
    events = list(event_file_loader.LegacyEventFileLoader(path).Load())
    assert len(events) == records, (len(events), records)
    assert events[0].file_version == "brain.Event:2"
    for e in events[1:]:
        for v in e.summary.value:
            print(v.tag, e.step, unpack("<I", pack("<f", v.simple_value))[0], e.wall_time >= events[0].wall_time)
    """

    @Test(.enabled(if: python != nil, "PTUNE_PYTHON is not set: the TensorBoard test needs the interop Python environment (scripts/test makes it)"))
    func eventFilesReadBackInTensorBoard() throws {
        let python = try #require(TensorBoardTests.python)
        let recipe = SweepTests.recipe + "log_metric(\"fit_error\", item(mse(d.x @ w, d.y)))\nlog_metric(\"steps\", steps)\n"
        let dir = try SweepTests.folder("tensorboard", recipe: recipe)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try PtuneProcess.run(["--record", "runs/a", "--set", "steps=25", "fit.pt"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let record = try RunRecord.read(from: dir.appendingPathComponent("runs/a/record.json").path)
        let name = try #require(record.eventsFile)
        #expect(name.hasPrefix("events.out.tfevents."))
        let events = dir.appendingPathComponent("runs/a/" + name)
        try Data(TensorBoardTests.reader.utf8).write(to: dir.appendingPathComponent("read.py"))
        let r = try ProcessRunner.run(python, [dir.appendingPathComponent("read.py").path, events.path], in: dir, seconds: 300,
                                      environment: ["PYTHONDONTWRITEBYTECODE": "1"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        var expected: [String] = []
        let metrics = try #require(MetricsFile.read(from: dir.appendingPathComponent("runs/a/metrics.csv").path))
        for s in metrics.steps {
            expected.append("loss \(s.step) \(Float(s.loss).bitPattern) True")
            if let e = s.eval { expected.append("eval \(s.step) \(Float(e).bitPattern) True") }
            if let lr = s.lr { expected.append("lr \(s.step) \(Float(lr).bitPattern) True") }
        }
        // The script's log_metric results: one last event at the last step, in name order.
        let results = try #require(record.results)
        expected.append("fit_error 25 \(Float(try #require(results["fit_error"])).bitPattern) True")
        expected.append("steps 25 \(Float(25).bitPattern) True")
        #expect(metrics.steps.count == 25)
        #expect(expected.contains { $0.hasPrefix("eval 10 ") } && expected.contains { $0.hasPrefix("lr 25 ") })
        #expect(r.stdout.split(separator: "\n").map(String.init) == expected)

        // `ptune runs diff` shows the results beside the run's own figures (`steps` the result as `steps_result`).
        try FileManager.default.removeItem(at: dir.appendingPathComponent("w.ckpt"))     // (a fresh run, not a resumed one)
        let other = try PtuneProcess.run(["--record", "runs/b", "--set", "steps=20", "fit.pt"], in: dir)
        #expect(other.status == 0, "\(other.stderr)")
        let diff = try PtuneProcess.run(["runs", "diff", "runs/a", "runs/b"], in: dir)
        #expect(diff.status == 0, "\(diff.stderr)")
        let rows = diff.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains { $0.first == "steps_result" && $0.count >= 4 && Double($0[1]) == 25 && Double($0[2]) == 20 && Double($0[3]) == -5 }, "\(diff.stdout)")
        #expect(rows.contains { $0.first == "fit_error" && $0.count >= 4 }, "\(diff.stdout)")
    }

    @Test func crc32cKnownValues() {
        // RFC 3720 B.4 check value, and TensorFlow's mask of the empty string's CRC.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.masked([UInt8]()) == 0xA282_EAD8)
    }
}
