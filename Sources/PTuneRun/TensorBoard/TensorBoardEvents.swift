import Foundation
import PTuneLang

/// A TensorBoard event file: TFRecord framing around `Event` protocol buffers written field by field, with one
/// scalar summary per value, so `tensorboard --logdir` shows ptune runs beside PyTorch ones.
///
/// A record is `length (u64 LE) · masked CRC-32C of length (u32 LE) · data · masked CRC-32C of data (u32 LE)`. The
/// first event holds `file_version: "brain.Event:2"`; each later one a step with its `Summary` of
/// `Value { tag, simple_value }` entries.
public struct TensorBoardEvents: Sendable {
    /// The file's bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// A file starting with the version event at `wallTime` (seconds since 1970).
    public init(wallTime: Double) {
        var event: [UInt8] = []
        TensorBoardEvents.field(1, fixed64: wallTime.bitPattern, into: &event)
        TensorBoardEvents.field(3, bytes: Array("brain.Event:2".utf8), into: &event)
        append(record: event)
    }

    /// Appends one event: the scalars `values` (tag, value) at `step` and `wallTime`.
    public mutating func append(step: Int, wallTime: Double, values: [(tag: String, value: Double)]) {
        var summary: [UInt8] = []
        for v in values {
            var value: [UInt8] = []
            TensorBoardEvents.field(1, bytes: Array(v.tag.utf8), into: &value)
            TensorBoardEvents.field(2, fixed32: Float(v.value).bitPattern, into: &value)
            TensorBoardEvents.field(1, bytes: value, into: &summary)
        }
        var event: [UInt8] = []
        TensorBoardEvents.field(1, fixed64: wallTime.bitPattern, into: &event)
        TensorBoardEvents.field(2, varint: UInt64(bitPattern: Int64(step)), into: &event)
        TensorBoardEvents.field(5, bytes: summary, into: &event)
        append(record: event)
    }

    /// Frames `data` as one TFRecord.
    mutating func append(record data: [UInt8]) {
        var length: [UInt8] = []
        TensorBoardEvents.little(UInt64(data.count), bytes: 8, into: &length)
        bytes += length
        TensorBoardEvents.little(UInt64(CRC32C.masked(length)), bytes: 4, into: &bytes)
        bytes += data
        TensorBoardEvents.little(UInt64(CRC32C.masked(data)), bytes: 4, into: &bytes)
    }

    /// The events of a run's training steps: `loss`, `eval` (once the block has evaluated; with `task:` also
    /// `eval_TASK` for each task) and `lr`, each
    /// step at `started` plus its time into the run; tags carry the block's name (`pe/loss`) when several blocks ran.
    /// The results the script kept with `log_metric` (`results`, by name) follow as one last event at the run's last
    /// step (0 when nothing trained) and its end (`finished`), each under its own name.
    public static func of(steps: [TrainProgress], started: Date, results: [String: Double] = [:],
                          finished: Date? = nil) -> TensorBoardEvents {
        let t0 = started.timeIntervalSince1970
        var file = TensorBoardEvents(wallTime: t0)
        let blocks = Set(steps.map(\.name))
        var offset = 0.0, last = 0.0, previous: TrainProgress?
        var stepBase = 0
        for s in steps {
            if let p = previous, p.name != s.name || s.step <= p.step {   // a new block: its time and steps continue
                offset += last
                stepBase = blocks.count > 1 ? 0 : stepBase + p.step
            }
            previous = s
            last = s.elapsed
            let prefix = blocks.count > 1 ? s.name + "/" : ""
            var values: [(tag: String, value: Double)] = [(prefix + "loss", s.loss)]
            if let e = s.evalMetric { values.append((prefix + TrainingReporter.evalName, e)) }
            for t in s.taskEvals { values.append((prefix + TrainingReporter.evalName + "_" + t.task, t.value)) }
            if let lr = s.learningRate { values.append((prefix + "lr", lr)) }
            file.append(step: stepBase + s.step, wallTime: t0 + offset + s.elapsed, values: values)
        }
        if !results.isEmpty {
            let lastStep = previous.map { stepBase + $0.step } ?? 0
            let end = Swift.max(finished?.timeIntervalSince1970 ?? t0, t0 + offset + last)
            file.append(step: lastStep, wallTime: end, values: results.keys.sorted().compactMap { name in
                results[name].map { (tag: name, value: $0) }
            })
        }
        return file
    }

    /// The file name TensorBoard looks for: `events.out.tfevents.SECONDS.HOST`.
    public static func fileName(started: Date, host: String) -> String {
        let safeHost = String(host.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "-" })
        return "events.out.tfevents.\(Int(started.timeIntervalSince1970)).\(safeHost.isEmpty ? "ptune" : safeHost)"
    }

    // MARK: - Protocol buffer encoding

    static func field(_ number: Int, varint v: UInt64, into out: inout [UInt8]) {
        varint(UInt64(number << 3 | 0), into: &out)
        varint(v, into: &out)
    }

    static func field(_ number: Int, fixed64 v: UInt64, into out: inout [UInt8]) {
        varint(UInt64(number << 3 | 1), into: &out)
        little(v, bytes: 8, into: &out)
    }

    static func field(_ number: Int, bytes data: [UInt8], into out: inout [UInt8]) {
        varint(UInt64(number << 3 | 2), into: &out)
        varint(UInt64(data.count), into: &out)
        out += data
    }

    static func field(_ number: Int, fixed32 v: UInt32, into out: inout [UInt8]) {
        varint(UInt64(number << 3 | 5), into: &out)
        little(UInt64(v), bytes: 4, into: &out)
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func little(_ v: UInt64, bytes n: Int, into out: inout [UInt8]) {
        for i in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) }
    }
}
