import Foundation

/// What differs between two recorded runs: the recipe's text, the overrides and seed, where and with what they ran,
/// and their numbers with the change from the first to the second.
public struct RunDiff: Sendable {
    /// The first run.
    public let a: RunFolder
    /// The second run.
    public let b: RunFolder
    /// Whether a higher eval is better (for nothing but the labels of best evals).
    public let goal: MetricGoal

    /// The difference from `a` to `b`.
    public init(_ a: RunFolder, _ b: RunFolder, goal: MetricGoal = .min) {
        self.a = a
        self.b = b
        self.goal = goal
    }

    /// The report, section by section; sections with no difference say so in one line.
    public func rendered() -> String {
        var out = "runs: A = \(a.path), B = \(b.path)\n\n"
        out += recipe() + "\n" + settings() + "\n" + environment() + "\n" + numbers()
        return out
    }

    /// The recipes: the same hash, or a line diff of the two copies.
    func recipe() -> String {
        let (ra, rb) = (a.record, b.record)
        guard ra.scriptSHA256 != rb.scriptSHA256 else {
            return "recipe: the same (\(ra.scriptCopy), sha256 \(ra.scriptSHA256.prefix(12)))\n"
        }
        let textA = (try? String(contentsOfFile: a.path + "/" + ra.scriptCopy, encoding: .utf8)) ?? ""
        let textB = (try? String(contentsOfFile: b.path + "/" + rb.scriptCopy, encoding: .utf8)) ?? ""
        return "recipe: differs (A \(ra.scriptCopy) sha256 \(ra.scriptSHA256.prefix(12)), B \(rb.scriptCopy) sha256 \(rb.scriptSHA256.prefix(12)))\n"
            + LineDiff.unified(textA, textB, oldName: "A/" + ra.scriptCopy, newName: "B/" + rb.scriptCopy)
    }

    /// Overrides (by name) and the seed.
    func settings() -> String {
        var names: [String] = []
        for o in a.record.overrides + b.record.overrides where !names.contains(o.name) { names.append(o.name) }
        var lines: [String] = []
        for name in names {
            let (x, y) = (a.setting(name), b.setting(name))
            if x != y { lines.append("  \(name): \(x ?? "(recipe's value)") -> \(y ?? "(recipe's value)")") }
        }
        if a.record.seed != b.record.seed {
            lines.append("  seed: \(a.record.seed) (\(a.record.seedSource.rawValue)) -> \(b.record.seed) (\(b.record.seedSource.rawValue))")
        }
        return lines.isEmpty ? "settings: the same\n" : "settings:\n" + lines.joined(separator: "\n") + "\n"
    }

    /// The ptune version and the machine.
    func environment() -> String {
        var pairs: [(String, String?, String?)] = [("ptune_version", a.record.ptuneVersion, b.record.ptuneVersion)]
        let (ea, eb) = (a.record.environment, b.record.environment)
        pairs += [("host", ea?.host, eb?.host), ("os", ea?.os, eb?.os), ("cores", ea.map { String($0.cores) }, eb.map { String($0.cores) }),
                  ("threads", ea.map { String($0.threads) }, eb.map { String($0.threads) }),
                  ("BLAS kernels", ea?.blasKernels, eb?.blasKernels)]
        let lines = pairs.filter { $0.1 != $0.2 }.map { "  \($0.0): \($0.1 ?? "(not recorded)") -> \($0.2 ?? "(not recorded)")" }
        return lines.isEmpty ? "environment: the same\n" : "environment:\n" + lines.joined(separator: "\n") + "\n"
    }

    /// The final and best numbers of each, the results their scripts kept with `log_metric`, and B − A.
    func numbers() -> String {
        let names = ["status", "steps", "loss", "best_loss", "eval", "best_eval", "seconds", "peak_memory"]
        let (resultsA, resultsB) = (a.record.results ?? [:], b.record.results ?? [:])
        let resultNames = Set(resultsA.keys).union(resultsB.keys).sorted()
        var rows: [[String]] = [["metric", "A", "B", "B - A"]]
        func cell(_ v: Double?) -> RunTable.Cell { v.map { .number($0, .metric) } ?? .empty }
        let figures = names.map { name in (name, RunTable.metric(name, of: a, goal: goal), RunTable.metric(name, of: b, goal: goal)) }
            + resultNames.map { name in (names.contains(name) ? name + "_result" : name, cell(resultsA[name]), cell(resultsB[name])) }
        for (name, x, y) in figures {
            if x == .empty && y == .empty { continue }
            var change = ""
            if case let .number(p, unit) = x, case let .number(q, _) = y {
                change = (q - p >= 0 ? "+" : "") + RunTable.rounded(q - p, unit)
                if p != 0 && unit != .integer { change += String(format: " (%+.1f%%)", (q - p) / abs(p) * 100) }
            }
            rows.append([name, RunTable.readable(x), RunTable.readable(y), change])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        let body = rows.map { row in
            "  " + row.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - row[c].count)
                return c == 0 ? row[c] + pad : pad + row[c]
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return "numbers:\n" + body.joined(separator: "\n") + "\n"
    }
}
