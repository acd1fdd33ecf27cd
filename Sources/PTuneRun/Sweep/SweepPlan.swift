import Foundation

/// The points of a sweep: the product of every `--grid` axis, times the rows of the `--zip` axes (zipped lists of
/// equal length), times the seeds. Each point is a set of overrides and a seed with a stable folder name made of
/// them, so the same command names the same folders every time.
public struct SweepPlan: Equatable, Sendable {
    /// One swept name and its values, as written.
    public struct Axis: Equatable, Sendable {
        /// The `dim` or `let` it overrides.
        public var name: String
        /// Its values.
        public var values: [String]

        /// Parses `NAME=V1,V2,…` (commas inside brackets, parentheses or quotes do not split).
        public init(parsing text: String) throws(SweepError) {
            guard let eq = text.firstIndex(of: "=") else { throw .badAxis(text, "expected NAME=V1,V2,…") }
            name = text[..<eq].trimmingCharacters(in: .whitespaces)
            values = SweepPlan.split(String(text[text.index(after: eq)...]))
            guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }), !(name.first?.isNumber ?? true) else {
                throw .badAxis(text, "'\(name)' is not a name")
            }
            guard !values.isEmpty, !values.contains(where: \.isEmpty) else { throw .badAxis(text, "no value, or an empty one") }
        }

        /// An axis.
        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }

    /// One run of the sweep.
    public struct Point: Equatable, Sendable {
        /// Its place in the sweep, from 0 (a Slurm array task's id).
        public var index: Int
        /// The overrides, in axis order (grid, then zip).
        public var overrides: [RunRecord.Override]
        /// The seed (`--seed`), if the sweep sets seeds.
        public var seed: UInt64?
        /// The folder name: `NAME=VALUE` parts joined by `_`, values made safe for a file name (with a short hash
        /// of the exact values when that changed them).
        public var name: String
    }

    /// The grid axes.
    public var grid: [Axis]
    /// The zipped axes.
    public var zip: [Axis]
    /// The seeds (empty: the recipe's own).
    public var seeds: [UInt64]
    /// Every point, in order: the first grid axis varies slowest, the seed fastest.
    public private(set) var points: [Point] = []

    /// A plan; zipped axes must have equal lengths, and no name may be swept twice.
    public init(grid: [Axis], zip: [Axis], seeds: [UInt64]) throws(SweepError) {
        self.grid = grid
        self.zip = zip
        self.seeds = seeds
        var seen = Set<String>()
        for axis in grid + zip {
            guard seen.insert(axis.name).inserted else { throw .duplicate(axis.name) }
        }
        if let first = zip.first, let other = zip.first(where: { $0.values.count != first.values.count }) {
            throw .zipLengths(first.name, first.values.count, other.name, other.values.count)
        }
        guard Set(seeds).count == seeds.count else { throw .duplicate("seed") }
        var combos: [[RunRecord.Override]] = [[]]
        for axis in grid {
            combos = combos.flatMap { c in axis.values.map { c + [RunRecord.Override(name: axis.name, value: $0)] } }
        }
        if let rows = zip.first?.values.count {
            combos = combos.flatMap { c in (0..<rows).map { r in c + zip.map { RunRecord.Override(name: $0.name, value: $0.values[r]) } } }
        }
        let seedList: [UInt64?] = seeds.isEmpty ? [nil] : seeds.map { $0 }
        for c in combos {
            for s in seedList {
                points.append(Point(index: points.count, overrides: c, seed: s, name: SweepPlan.name(c, seed: s)))
            }
        }
    }

    /// Parses `--seeds`: `0,1,2` or an inclusive range `0..4`.
    public static func seeds(parsing text: String) throws(SweepError) -> [UInt64] {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let r = t.range(of: "..") {
            guard let lo = UInt64(t[..<r.lowerBound]), let hi = UInt64(t[r.upperBound...]), lo <= hi, hi - lo < 100_000 else {
                throw .badSeeds(text)
            }
            return Array(lo...hi)
        }
        var out: [UInt64] = []
        for part in t.split(separator: ",") {
            guard let v = UInt64(part.trimmingCharacters(in: .whitespaces)) else { throw .badSeeds(text) }
            out.append(v)
        }
        guard !out.isEmpty else { throw .badSeeds(text) }
        return out
    }

    /// The stable folder name of a point.
    static func name(_ overrides: [RunRecord.Override], seed: UInt64?) -> String {
        var parts = overrides.map { ($0.name, $0.value) }
        if let seed { parts.append(("seed", String(seed))) }
        guard !parts.isEmpty else { return "run" }
        var changed = false
        let safe = parts.map { name, value -> String in
            let cleaned = String(value.map { c -> Character in
                c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "+") ? c : "-"
            })
            if cleaned != value { changed = true }
            return name + "=" + (cleaned.isEmpty ? "-" : cleaned)
        }
        var joined = safe.joined(separator: "_")
        if joined.count > 120 { joined = String(joined.prefix(120)); changed = true }
        if changed {
            let exact = parts.map { $0.0 + "=" + $0.1 }.joined(separator: "\u{0}")
            joined += "~" + SHA256.hex(of: Array(exact.utf8)).prefix(8)
        }
        return joined
    }

    /// Splits `a,b,[c,d]` at top-level commas.
    static func split(_ text: String) -> [String] {
        var out: [String] = [], current = "", depth = 0, quoted = false
        for c in text {
            if c == "\"" { quoted.toggle() }
            if !quoted {
                if c == "[" || c == "(" { depth += 1 }
                if c == "]" || c == ")" { depth -= 1 }
                if c == "," && depth == 0 { out.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
            }
            current.append(c)
        }
        out.append(current.trimmingCharacters(in: .whitespaces))
        return out
    }
}

/// What is wrong with a sweep's options or its folder.
public enum SweepError: Error, CustomStringConvertible, Equatable {
    /// A `--grid` or `--zip` that does not parse.
    case badAxis(String, String)
    /// `--seeds` that does not parse.
    case badSeeds(String)
    /// A name swept twice.
    case duplicate(String)
    /// Zipped lists of different lengths.
    case zipLengths(String, Int, String, Int)
    /// `--point` outside the sweep.
    case noSuchPoint(Int, Int)
    /// A sweep file line that is not an option the file may hold.
    case badFileLine(String, Int, String)
    /// The output folder cannot be used.
    case folder(String, String)

    /// The message.
    public var description: String {
        switch self {
        case let .badAxis(t, why): return "bad sweep axis '\(t)': \(why)"
        case let .badSeeds(t): return "bad --seeds '\(t)': expected numbers like 0,1,2 or a range 0..4"
        case let .duplicate(n): return "'\(n)' is swept twice"
        case let .zipLengths(a, m, b, n): return "zipped lists differ in length: '\(a)' has \(m) values, '\(b)' has \(n)"
        case let .noSuchPoint(i, n): return "--point \(i): the sweep has \(n) points (0…\(n - 1))"
        case let .badFileLine(f, line, why): return "\(f):\(line): \(why)"
        case let .folder(p, why): return "cannot use '\(p)': \(why)"
        }
    }
}
