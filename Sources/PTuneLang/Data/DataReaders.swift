import Foundation
import PTuneCore

/// Readers for data files with named columns: CSV and TSV (a header row, then one row per example) and JSONL (one
/// JSON object per line). Numeric columns become tensors — int64 when every value is an integer, else the float
/// dtype asked for; a JSONL field holding equal-length arrays of numbers becomes a tensor with one more axis; text
/// columns stay text. Malformed input is an error naming the file and line, never a crash.
enum DataReaders {
    /// A CSV (`separator` ",") or TSV (`"\t"`) file.
    static func delimited(_ text: String, separator: Character, path: String, dtype: DType) throws -> DatasetObject {
        var rows: [[String]] = []
        var lineNumber = 0
        // Lines end in "\n", "\r\n" or a lone "\r" (old Mac files); Swift's Character treats "\r\n" as one.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            rows.append(try fields(line, separator: separator, path: path, line: lineNumber))
        }
        guard let header = rows.first else { throw RuntimeFailure(.badData(path: path, "the file is empty (expected a header row)")) }
        guard Set(header).count == header.count else { throw RuntimeFailure(.badData(path: path, "line 1: column names repeat")) }
        let body = rows.dropFirst()
        for (i, r) in body.enumerated() where r.count != header.count {
            throw RuntimeFailure(.badData(path: path, "row \(i + 2) has \(r.count) fields, the header has \(header.count)"))
        }
        var columns: [DatasetObject.Column] = []
        for (j, name) in header.enumerated() {
            let cells = body.map { $0[j] }
            let numbers = cells.map { DelimitedNumber($0) }
            // A column of numbers with an `inf`, `nan` or overflowing cell is an error, as it is in JSONL.
            if numbers.allSatisfy({ $0 != .text }), let i = numbers.firstIndex(of: .notFinite) {
                throw RuntimeFailure(.badData(path: path, "row \(i + 2): column '\(name)' holds '\(cells[i])', which is not a finite number"))
            }
            columns.append(try column(numbers.map(\.value), text: cells, dtype: dtype))
        }
        return try DatasetObject(names: header, columns: columns, source: (path as NSString).lastPathComponent)
    }

    /// One line's fields; quotes allow separators and doubled quotes inside a field.
    static func fields(_ line: Substring, separator: Character, path: String, line number: Int) throws -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let n = line.index(after: i)
                    if n < line.endIndex && line[n] == "\"" { cur.append("\""); i = n } else { quoted = false }
                } else {
                    cur.append(c)
                }
            } else if c == "\"" && cur.isEmpty {
                quoted = true
            } else if c == separator {
                out.append(cur)
                cur = ""
            } else {
                cur.append(c)
            }
            i = line.index(after: i)
        }
        guard !quoted else { throw RuntimeFailure(.badData(path: path, "line \(number): a quoted field is not closed")) }
        out.append(cur)
        return out
    }

    /// A column from parsed numbers (nil where a cell is not a number) and the raw text: int64 when every cell is
    /// written as an integer (`3`, not `3.0`), else floats of `dtype`.
    static func column(_ numbers: [Double?], text: [String], dtype: DType) throws -> DatasetObject.Column {
        let values = numbers.compactMap { $0 }
        guard values.count == numbers.count, !values.isEmpty else { return .strings(text) }
        let writtenAsIntegers = text.allSatisfy { t in
            !t.contains(where: { $0 == "." || $0 == "e" || $0 == "E" || $0 == "n" || $0 == "N" })
        }
        if writtenAsIntegers && values.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 9e15 }) {
            return .tensor(try Tensor(shape: [values.count], scalars: values.map { Int64($0) }))
        }
        return .tensor(try Tensor(shape: [values.count], values: values, dtype: dtype))
    }

    /// A JSONL file: one object per non-empty line, every object with the same keys.
    static func jsonl(_ data: Data, path: String, dtype: DType) throws -> DatasetObject {
        var objects: [[String: JSONValue]] = []
        var number = 0
        // A UTF-8 byte order mark before the first line is allowed, as editors write one.
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        for line in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do { value = try JSONValue.parse(line) } catch let e as JSONError {
                throw RuntimeFailure(.badData(path: path, "line \(number), column \(e.offset + 1): \(e.reason)"))
            }
            guard let obj = value.objectValue else {
                throw RuntimeFailure(.badData(path: path, "line \(number) holds \(value.kindDescription), not a JSON object"))
            }
            objects.append(obj)
        }
        guard let first = objects.first else { throw RuntimeFailure(.badData(path: path, "the file has no rows")) }
        let names = first.keys.sorted()
        var columns: [DatasetObject.Column] = []
        for name in names {
            var nums: [Double?] = [], texts: [String] = [], arrays: [[Double]] = []
            for (i, o) in objects.enumerated() {
                guard let v = o[name] else { throw RuntimeFailure(.badData(path: path, "row \(i + 1) has no field '\(name)'")) }
                switch v {
                case let .string(s):
                    texts.append(s)
                    nums.append(nil)
                case let .int(n):
                    nums.append(Double(n))
                    texts.append(String(n))
                case let .double(n):
                    guard n.isFinite else {
                        throw RuntimeFailure(.badData(path: path, "row \(i + 1): field '\(name)' is not a finite number"))
                    }
                    nums.append(n)
                    texts.append(String(n))
                case .array:
                    guard let ds = DataReaders.numbers(v), ds.allSatisfy(\.isFinite) else {
                        throw RuntimeFailure(.badData(path: path, "row \(i + 1): field '\(name)' holds a list that is not all finite numbers"))
                    }
                    arrays.append(ds)
                case .null, .bool, .object:
                    throw RuntimeFailure(.badData(path: path, "row \(i + 1): field '\(name)' is neither a number, a string nor a list of numbers"))
                }
            }
            if !arrays.isEmpty {
                guard arrays.count == objects.count, let width = arrays.first?.count, arrays.allSatisfy({ $0.count == width }) else {
                    throw RuntimeFailure(.badData(path: path, "field '\(name)' must hold lists of one length in every row"))
                }
                columns.append(.tensor(try Tensor(shape: [arrays.count, width], values: arrays.flatMap { $0 }, dtype: dtype)))
            } else {
                columns.append(try column(nums, text: texts, dtype: dtype))
            }
        }
        return try DatasetObject(names: names, columns: columns, source: (path as NSString).lastPathComponent)
    }

    /// The tensors of a JSON file: `{"tensors": {name: {"shape": […], "data": […]}}}` (the reference workloads'
    /// `--dump-init` format) or the same map at the top level.
    static func tensors(_ data: Data, path: String, dtype: DType) throws -> Record {
        guard let top = (try? JSONValue.parse(data))?.objectValue else {
            throw RuntimeFailure(.badData(path: path, "not a JSON object"))
        }
        let map = top["tensors"]?.objectValue ?? top
        var fields: [(String, Value)] = []
        for name in map.keys.sorted() {
            guard let entry = map[name]?.objectValue, let shape = entry["shape"].flatMap(DataReaders.numbers),
                  let values = entry["data"].flatMap(DataReaders.numbers) else { continue }
            guard shape.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 1e12 }) else {
                throw RuntimeFailure(.badData(path: path, "tensor '\(name)' has a malformed shape"))
            }
            var isInt = false
            if case let .string(d)? = entry["dtype"] { isInt = d.hasPrefix("int") }
            do {
                fields.append((name, .tensor(try Tensor(shape: shape.map { Int($0) }, values: values, dtype: isInt ? .int64 : dtype))))
            } catch let e as TensorError {
                throw RuntimeFailure(.badData(path: path, "tensor '\(name)': \(e)"))
            }
        }
        guard !fields.isEmpty else { throw RuntimeFailure(.badData(path: path, "no tensors found (expected {\"tensors\": {name: {\"shape\", \"data\"}}})")) }
        return Record(fields)
    }

    /// The numbers of a JSON array of numbers, or nil.
    static func numbers(_ v: JSONValue) -> [Double]? {
        guard let items = v.arrayValue else { return nil }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for i in items {
            guard let x = i.doubleValue else { return nil }
            out.append(x)
        }
        return out
    }
}
