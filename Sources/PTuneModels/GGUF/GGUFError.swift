/// A problem with a GGUF file, located by the file's name and, where it has one, the byte offset of the bad field.
///
/// Every malformed, truncated or hostile file gives one of these; the reader never traps on file contents.
public struct GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's path (or a label for in-memory bytes).
    public let file: String
    /// The byte offset of the field at fault, when the problem has a place.
    public let offset: Int?
    /// What is wrong.
    public let problem: Problem

    /// Creates an error at `offset` of `file`.
    public init(file: String, offset: Int?, _ problem: Problem) {
        self.file = file
        self.offset = offset
        self.problem = problem
    }

    /// What can be wrong with a GGUF file, or with a request for something it does not hold.
    public enum Problem: Equatable, Sendable {
        /// The file could not be read at all.
        case unreadable(String)
        /// The first four bytes are not `GGUF`.
        case notGGUF(magic: [UInt8])
        /// A version other than 2 or 3.
        case unsupportedVersion(UInt32)
        /// The file ends inside a field (what was being read, bytes needed, bytes left).
        case truncated(what: String, needed: UInt64, available: Int)
        /// A metadata value type code that GGUF does not define.
        case unknownValueType(UInt32)
        /// Arrays nested deeper than the reader accepts.
        case nestingTooDeep(limit: Int)
        /// A count that cannot fit in what is left of the file (what is counted, the count).
        case countTooLarge(what: String, count: UInt64)
        /// A metadata key appears twice.
        case duplicateKey(String)
        /// `general.alignment` is not a positive power of two (or not an integer).
        case invalidAlignment(String)
        /// A tensor name appears twice.
        case duplicateTensor(String)
        /// A tensor type code that the reader does not know (tensor, code).
        case unknownTensorType(tensor: String, code: UInt32)
        /// A tensor's dimensions are invalid (tensor, dims as stored, why).
        case invalidDimensions(tensor: String, dims: [UInt64], reason: String)
        /// A tensor's data offset is not a multiple of the alignment (tensor, offset, alignment).
        case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
        /// A tensor's data lies (partly) outside the file (tensor, first byte, end, file size).
        case tensorOutOfBounds(tensor: String, start: UInt64, end: UInt64, fileSize: Int)
        /// A metadata key that is needed is absent.
        case missingKey(String)
        /// A metadata value of the wrong type (key, expected, found).
        case wrongType(key: String, expected: String, found: String)
        /// A metadata value out of the range it must lie in (key, why).
        case invalidValue(key: String, reason: String)
        /// No tensor of this name.
        case missingTensor(String)
        /// The tensor's type cannot be converted to float32 by this reader (tensor, type).
        case unsupportedTensorType(tensor: String, type: String)
        /// A request for rows outside the tensor (tensor, row asked, rows held).
        case rowOutOfRange(tensor: String, row: Int, rows: Int)
        /// A tensor's shape is not what the caller needs (tensor, expected, found).
        case unexpectedShape(tensor: String, expected: [Int], found: [Int])
    }

    /// `file: byte N: message`, lowercase, in the style of the diagnostics catalogue.
    public var description: String {
        let place = offset.map { "\(file): byte \($0): " } ?? "\(file): "
        return place + problem.message
    }
}

extension GGUFError.Problem {
    /// The message without its location.
    public var message: String {
        switch self {
        case let .unreadable(why): return why
        case let .notGGUF(magic):
            return "not a GGUF file: starts with \(magic.map { String($0, radix: 16) }) instead of 'GGUF'"
        case let .unsupportedVersion(v): return "GGUF version \(v) is not supported (expected 2 or 3)"
        case let .truncated(what, needed, available):
            return "file is truncated: \(what) needs \(needed) bytes but only \(available) remain"
        case let .unknownValueType(t): return "unknown metadata value type \(t)"
        case let .nestingTooDeep(limit): return "arrays nested deeper than \(limit) levels"
        case let .countTooLarge(what, count): return "\(what) count \(count) cannot fit in the rest of the file"
        case let .duplicateKey(k): return "metadata key '\(k)' appears twice"
        case let .invalidAlignment(why): return "invalid general.alignment: \(why)"
        case let .duplicateTensor(n): return "tensor '\(n)' appears twice"
        case let .unknownTensorType(n, code): return "tensor '\(n)' has unknown type code \(code)"
        case let .invalidDimensions(n, dims, why): return "tensor '\(n)' has invalid dimensions \(dims): \(why)"
        case let .misalignedTensor(n, off, a): return "tensor '\(n)' data offset \(off) is not a multiple of the alignment \(a)"
        case let .tensorOutOfBounds(n, start, end, size):
            return "tensor '\(n)' data \(start)..<\(end) lies outside the file of \(size) bytes"
        case let .missingKey(k): return "metadata key '\(k)' is missing"
        case let .wrongType(k, expected, found): return "metadata '\(k)' should be \(expected), found \(found)"
        case let .invalidValue(k, why): return "metadata '\(k)': \(why)"
        case let .missingTensor(n): return "no tensor named '\(n)'"
        case let .unsupportedTensorType(n, t):
            let known = GGMLType.allCases.filter(\.canDequantize).map(\.description).joined(separator: ", ")
            return "tensor '\(n)' has type \(t), which ptune cannot convert (supported: \(known))"
        case let .rowOutOfRange(n, row, rows): return "row \(row) is out of range for tensor '\(n)' of \(rows) rows"
        case let .unexpectedShape(n, expected, found): return "tensor '\(n)' has shape \(found), expected \(expected)"
        }
    }
}
