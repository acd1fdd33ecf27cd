/// Everything that can go wrong reading or writing a safetensors file. Malformed input is always one of these, never a
/// trap: the reader bounds-checks the header length, every shape, offset and byte count before touching data.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file is shorter than the 8-byte header length (bytes available).
    case truncated(bytes: Int)
    /// The declared header length does not fit in the file or exceeds the limit (declared, bytes available).
    case badHeaderLength(declared: UInt64, available: Int)
    /// The header is not a valid JSON object (explanation).
    case invalidHeader(String)
    /// One tensor's entry is malformed (tensor name, explanation).
    case invalidEntry(String, String)
    /// A dtype string the format does not define (tensor name, dtype string).
    case unknownDType(String, String)
    /// A dtype the format defines but ptune cannot convert to a tensor (tensor name, dtype string).
    case unsupportedDType(String, String)
    /// The tensors' byte ranges overlap, leave holes, or do not cover the data exactly (explanation).
    case badLayout(String)
    /// No tensor of that name in the file.
    case missingTensor(String)
    /// A stored integer does not fit in int64 (tensor name).
    case valueOutOfRange(String)
    /// The file could not be read (path, reason).
    case unreadable(path: String, String)
    /// A tensor cannot be stored as the requested dtype (tensor name, explanation).
    case cannotStore(String, String)

    /// A lowercase message naming the tensor or path.
    public var description: String {
        switch self {
        case let .truncated(bytes):
            return "not a safetensors file: \(bytes) bytes is shorter than the 8-byte header length"
        case let .badHeaderLength(declared, available):
            return "not a safetensors file: header length \(declared) does not fit in the \(available) bytes that follow"
        case let .invalidHeader(why):
            return "invalid safetensors header: \(why)"
        case let .invalidEntry(name, why):
            return "invalid safetensors entry '\(name)': \(why)"
        case let .unknownDType(name, dtype):
            return "safetensors entry '\(name)' has unknown dtype '\(dtype)'"
        case let .unsupportedDType(name, dtype):
            return "safetensors entry '\(name)' has dtype '\(dtype)', which ptune cannot load"
        case let .badLayout(why):
            return "invalid safetensors data layout: \(why)"
        case let .missingTensor(name):
            return "no tensor named '\(name)' in the safetensors file"
        case let .valueOutOfRange(name):
            return "safetensors entry '\(name)' holds an integer outside the int64 range"
        case let .unreadable(path, why):
            return "cannot read '\(path)': \(why)"
        case let .cannotStore(name, why):
            return "cannot store tensor '\(name)': \(why)"
        }
    }
}
