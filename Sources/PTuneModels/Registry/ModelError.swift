import PTuneCore

/// Why a pretrained model could not be found or built. (Problems inside a file are the format's own errors:
/// ``GGUFError``, the safetensors codec's, ``FileReadError``.)
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A known model whose files are not in the cache (name, the file looked for, the script that fetches it).
    case notFetched(name: String, missing: String, fetchScript: String)
    /// A name that is neither a known model nor a path to a model file (name, the known names).
    case unknownModel(String, known: [String])
    /// A file whose extension is not `.gguf` or `.safetensors`.
    case unsupportedFormat(path: String)
    /// A file whose architecture ptune does not implement (architecture, file).
    case unsupportedArchitecture(String, file: String)
    /// A configuration file that is missing, unreadable or out of range (file, why).
    case invalidConfig(file: String, reason: String)
    /// A weight the architecture needs is absent from the file (file, tensor name).
    case missingWeight(file: String, name: String)
    /// A weight of the wrong shape (file, tensor name, expected, found).
    case weightShape(file: String, name: String, expected: [Int], found: [Int])
    /// A weights file that is malformed, located by its path (file, the reader's message).
    case invalidFile(file: String, reason: String)

    /// A lowercase message that says what to do where it can.
    public var description: String {
        switch self {
        case let .notFetched(name, missing, script):
            return "model '\(name)' is not downloaded (\(missing) is missing): run \(script)"
        case let .unknownModel(name, known):
            return "unknown model '\(name)': expected one of \(known.map { "'\($0)'" }.joined(separator: ", ")), a path to a .gguf or .safetensors file, or a Hugging Face model folder"
        case let .unsupportedFormat(path):
            return "\(path): unsupported model format (expected a .gguf or .safetensors file, or a Hugging Face model folder)"
        case let .unsupportedArchitecture(arch, file):
            return "\(file): architecture '\(arch)' is not supported"
        case let .invalidConfig(file, why):
            return "\(file): invalid model configuration: \(why)"
        case let .missingWeight(file, name):
            return "\(file): weight '\(name)' is missing"
        case let .weightShape(file, name, expected, found):
            return "\(file): weight '\(name)' has shape \(found), expected \(expected)"
        case let .invalidFile(file, reason):
            return "\(file): \(reason)"
        }
    }
}
