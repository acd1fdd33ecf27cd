import Foundation

/// The per-step numbers of a run record's `metrics.csv` (`block,step,epoch,loss,eval_name,eval[,lr]`), read back.
public struct MetricsFile: Sendable {
    /// One step of one `train` block.
    public struct Step: Equatable, Sendable {
        /// The block's name (what it trained).
        public var block: String
        /// The step, from 1.
        public var step: Int
        /// The epoch, from 1.
        public var epoch: Int
        /// The step's loss.
        public var loss: Double
        /// The eval metric, on steps that evaluated.
        public var eval: Double?
        /// The learning rate the step used, when the record has it.
        public var lr: Double?
    }

    /// Every step, in order.
    public var steps: [Step]

    /// The steps of `text` (a CSV with a header); rows that do not parse are skipped.
    public init(csv text: String) {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { steps = []; return }
        let header = MetricsFile.fields(lines.removeFirst())
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        let (b, st, ep, lo, ev, lr) = (column("block"), column("step"), column("epoch"), column("loss"), column("eval"), column("lr"))
        steps = lines.compactMap { line in
            let f = MetricsFile.fields(line)
            func at(_ i: Int?) -> String? { i.flatMap { $0 < f.count && !f[$0].isEmpty ? f[$0] : nil } }
            guard let step = at(st).flatMap({ Int($0) }), let loss = at(lo).flatMap({ Double($0) }) else { return nil }
            return Step(block: at(b) ?? "", step: step, epoch: at(ep).flatMap { Int($0) } ?? 0, loss: loss,
                        eval: at(ev).flatMap { Double($0) }, lr: at(lr).flatMap { Double($0) })
        }
    }

    /// Reads the file at `path`; nil when it cannot be read.
    public static func read(from path: String) -> MetricsFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return MetricsFile(csv: String(decoding: data, as: UTF8.self))
    }

    /// The steps of the last block that ran (the one a run's final numbers come from).
    public var lastBlock: [Step] {
        guard let name = steps.last?.block else { return [] }
        var out: [Step] = []
        for s in steps.reversed() {
            if s.block != name || (out.last.map { s.step >= $0.step } ?? false) { break }
            out.append(s)
        }
        return out.reversed()
    }

    /// The fields of one CSV line (quotes with doubled quotes inside).
    static func fields(_ line: String) -> [String] {
        var out: [String] = [], field = "", quoted = false, chars = Array(line), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                out.append(field); field = ""
            } else { field.append(c) }
            i += 1
        }
        out.append(field)
        return out
    }
}
