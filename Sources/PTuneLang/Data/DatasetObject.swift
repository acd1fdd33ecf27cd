import PTuneCore

/// A dataset: named columns of equal length. A numeric column is a tensor whose first axis indexes rows; a text
/// column is a list of strings. Batches are records with one field per column (`batch.x`, `batch.y`).
public final class DatasetObject: @unchecked Sendable, CustomStringConvertible {
    /// One column's data.
    public enum Column {
        /// Numbers: row `i` is `tensor[i]`.
        case tensor(Tensor)
        /// Text: row `i` is `strings[i]`.
        case strings([String])
    }

    /// Column names, in order.
    public let names: [String]
    /// Columns, parallel to `names`.
    public let columns: [Column]
    /// The number of rows.
    public let count: Int
    /// Where it came from (`reviews.csv`, `synthetic_classes(n: 1024, …)`).
    public let source: String

    /// A dataset from columns of equal length, or throws naming the column that differs.
    init(names: [String], columns: [Column], source: String) throws {
        var n: Int?
        for (name, c) in zip(names, columns) {
            let len: Int
            switch c {
            case let .tensor(t):
                guard t.rank >= 1 else { throw RuntimeFailure(.badArgument(function: "dataset", "column '\(name)' is a rank-0 tensor; columns need one row per example")) }
                len = t.shape[0]
            case let .strings(s): len = s.count
            }
            if let n, n != len {
                throw RuntimeFailure(.badArgument(function: "dataset", "column '\(name)' has \(len) rows but the others have \(n)"))
            }
            n = len
        }
        self.names = names
        self.columns = columns
        self.count = n ?? 0
        self.source = source
    }

    /// The whole column `name` as a value (`train.x`).
    func column(_ name: String) -> Value? {
        guard let i = names.firstIndex(of: name) else { return nil }
        switch columns[i] {
        case let .tensor(t): return .tensor(t)
        case let .strings(s): return .list(s.map { .string($0) })
        }
    }

    /// The static types of the columns.
    var columnTypes: [String: LangType] {
        var out: [String: LangType] = [:]
        for (name, c) in zip(names, columns) {
            switch c {
            case let .tensor(t): out[name] = .tensor(TensorType(shape: [Dim.unknown] + t.shape.dropFirst().map { Dim($0) }, dtype: t.dtype))
            case .strings: out[name] = .list(.string)
            }
        }
        return out
    }

    /// The rows at `indices` as a new dataset (in that order).
    func subset(_ indices: [Int], source: String) throws -> DatasetObject {
        let idx = try Tensor(shape: [indices.count], scalars: indices.map { Int64($0) })
        let cols: [Column] = try columns.map { c in
            switch c {
            case let .tensor(t): return .tensor(try t.gatherRows(idx))
            case let .strings(s): return .strings(indices.map { s[$0] })
            }
        }
        return try DatasetObject(names: names, columns: cols, source: source)
    }

    /// Rows `start..<start+length` as a record (a batch), sharing nothing with later batches.
    func batch(start: Int, length: Int) throws -> Record {
        var fields: [(String, Value)] = []
        for (name, c) in zip(names, columns) {
            switch c {
            case let .tensor(t): fields.append((name, .tensor(try t.narrowed(axis: 0, start: start, length: length))))
            case let .strings(s): fields.append((name, .list(s[start..<(start + length)].map { .string($0) })))
            }
        }
        return Record(fields)
    }

    /// The batches of one epoch, `size` rows each (the last one may be short), in order or shuffled by `rng`.
    func batches(size: Int, shuffle: Bool, rng: inout Generator) throws -> [Record] {
        let data = shuffle ? try subset(rng.permutation(count), source: source) : self
        var out: [Record] = []
        var start = 0
        while start < count {
            let n = Swift.min(size, count - start)
            out.append(try data.batch(start: start, length: n))
            start += n
        }
        return out
    }

    /// A checksum of the names, dtypes, shapes and values of every column (FNV-1a): equal datasets have equal ones,
    /// so a resumed `train` block can tell that it runs on the data its checkpoint was trained on.
    var checksum: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) { for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 } }
        func mix(_ x: UInt64) { var x = x; for _ in 0..<8 { h = (h ^ (x & 0xff)) &* 0x100_0000_01b3; x >>= 8 } }
        for (name, c) in zip(names, columns) {
            mix(name.utf8)
            switch c {
            case let .tensor(t):
                mix(t.dtype.rawValue.utf8)
                for d in t.shape { mix(UInt64(truncatingIfNeeded: d)) }
                for x in t.doubles { mix(x.bitPattern) }
            case let .strings(rows):
                for r in rows { mix(UInt64(truncatingIfNeeded: r.utf8.count)); mix(r.utf8) }
            }
        }
        return h
    }

    /// `dataset reviews.csv: 1,024 rows {x: [1024, 16, 64] float32, y: [1024] int64}`
    public var description: String {
        let cols = zip(names, columns).map { name, c -> String in
            switch c {
            case let .tensor(t): return "\(name): \(Shape.describe(t.shape)) \(t.dtype)"
            case .strings: return "\(name): text"
            }
        }
        return "dataset \(source): \(Count.grouped(count)) rows {\(cols.joined(separator: ", "))}"
    }
}
