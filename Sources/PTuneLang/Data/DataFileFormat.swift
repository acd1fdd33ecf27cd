import Foundation
import PTuneCore

/// The data-file formats `read_csv`, `read_tsv` and `read_jsonl` accept, as an entry point for tools outside the
/// language (the fuzz harnesses): the same readers, the same checks, the same errors.
public enum DataFileFormat: String, CaseIterable, Sendable {
    /// Comma-separated values with a header row.
    case csv
    /// Tab-separated values with a header row.
    case tsv
    /// One JSON object per line.
    case jsonl

    /// Reads `bytes` as a file of this format exactly as the builtin does; malformed input throws a diagnostic
    /// naming `path` (and the line, where there is one).
    public func read(_ bytes: [UInt8], path: String = "<memory>", dtype: DType = .float32) throws -> DatasetObject {
        do {
            return try decode(Data(bytes), path: path, dtype: dtype)
        } catch let failure as RuntimeFailure {
            throw failure.diagnostic
        }
    }

    private func decode(_ data: Data, path: String, dtype: DType) throws -> DatasetObject {
        switch self {
        case .csv, .tsv:
            guard let text = String(data: data, encoding: .utf8) else {
                throw RuntimeFailure(.badData(path: path, "the file is not UTF-8 text"))
            }
            return try DataReaders.delimited(text, separator: self == .csv ? "," : "\t", path: path, dtype: dtype)
        case .jsonl:
            return try DataReaders.jsonl(data, path: path, dtype: dtype)
        }
    }
}
