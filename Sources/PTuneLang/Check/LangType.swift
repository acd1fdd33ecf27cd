import PTuneCore

/// One dimension of a statically known shape: its size when known, and the name it was written with (`embed`,
/// `virtual + 1`) when it has one. Diagnostics print the name, so a mismatch reads `'embed' vs 'out'`.
public struct Dim: Sendable, Equatable, CustomStringConvertible {
    /// The size, when the checker knows it.
    public var value: Int?
    /// The dim's name or the expression that made it (nil for a plain number).
    public var name: String?

    /// A dim of known `value`, named or not.
    public init(_ value: Int?, name: String? = nil) {
        self.value = value
        self.name = name
    }

    /// A dimension nothing is known about.
    public static let unknown = Dim(nil)

    /// `embed`, `4`, or `?`.
    public var description: String { name ?? value.map(String.init) ?? "?" }

    /// Whether two dims are known to differ (a mismatch the checker reports). Equal names always agree; otherwise
    /// sizes decide, and an unknown size agrees with anything.
    public func conflicts(with other: Dim) -> Bool {
        if let a = name, let b = other.name, a == b { return false }
        guard let x = value, let y = other.value else { return false }
        return x != y
    }

    /// Whether the dim is known to be 1 (it broadcasts).
    public var isOne: Bool { value == 1 }
}

/// What the checker knows about a tensor: its shape (or nothing, when the rank is unknown) and its dtype.
public struct TensorType: Sendable, Equatable, CustomStringConvertible {
    /// The dims, outermost first; nil when even the rank is unknown.
    public var shape: [Dim]?
    /// The dtype, when known.
    public var dtype: DType?

    /// A tensor type.
    public init(shape: [Dim]?, dtype: DType? = nil) {
        self.shape = shape
        self.dtype = dtype
    }

    /// A tensor nothing is known about.
    public static let unknown = TensorType(shape: nil, dtype: nil)

    /// `[virtual, embed]` (or `[?]` parts), as diagnostics print shapes.
    public var shapeText: String {
        guard let shape else { return "[…]" }
        return "[" + shape.map(\.description).joined(separator: ", ") + "]"
    }

    /// `tensor [virtual, embed] float64`
    public var description: String {
        var s = "tensor " + shapeText
        if let dtype { s += " \(dtype)" }
        return s
    }
}

/// The field names and types of a record.
public struct RecordType: Sendable, Equatable {
    /// Field names, in order.
    public var names: [String]
    /// Field types, parallel to `names`.
    public var types: [LangType]

    /// A record type with these fields.
    public init(_ fields: [(String, LangType)]) {
        names = fields.map(\.0)
        types = fields.map(\.1)
    }

    /// The type of field `name`.
    public subscript(name: String) -> LangType? {
        names.firstIndex(of: name).map { types[$0] }
    }
}

/// The static type of an expression: what the checker knows before anything runs. `unknown` is the type of values
/// that depend on data (the same checks then happen at run time).
public indirect enum LangType: Sendable, Equatable, CustomStringConvertible {
    /// Nothing known.
    case unknown
    /// `none`
    case none
    /// A number, with its value when it is a known constant.
    case number(Double?)
    /// A named integer dimension (a number whose name shapes remember).
    case dim(Dim)
    /// `true` / `false`
    case bool
    /// Text.
    case string
    /// A tensor (a `param`'s value is a trainable tensor).
    case tensor(TensorType)
    /// A list of elements of one type (or `unknown`).
    case list(LangType)
    /// `a..b`
    case range
    /// A record with named fields (a batch, a split, a history).
    case record(RecordType)
    /// A user function (its name and parameter count).
    case function(String, arity: Int)
    /// A builtin function.
    case builtin(String)
    /// A model (a layer or frozen network), with what the checker knows of its widths.
    case model(ModelShape)
    /// A prompt encoder, with what the checker knows of its tokens.
    case encoder(EncoderShape)
    /// A dataset with named columns.
    case dataset([String: LangType])
    /// An optimizer.
    case optimizer
    /// A learning-rate schedule.
    case schedule

    /// `a tensor [2, 3] float64`, `a number`, … for messages.
    public var kindText: String {
        switch self {
        case .unknown: return "a value"
        case .none: return "none"
        case .number, .dim: return "a number"
        case .bool: return "a bool"
        case .string: return "a string"
        case let .tensor(t): return "a " + t.description
        case .list: return "a list"
        case .range: return "a range"
        case .record: return "a record"
        case let .function(name, _): return "the function '\(name)'"
        case let .builtin(name): return "the builtin '\(name)'"
        case .model: return "a model"
        case .encoder: return "an encoder"
        case .dataset: return "a dataset"
        case .optimizer: return "an optimizer"
        case .schedule: return "a schedule"
        }
    }

    /// The type as `:type` prints it.
    public var description: String {
        switch self {
        case .unknown: return "unknown"
        case .none: return "none"
        case let .number(v): return v.map { "number = \(Value.number($0))" } ?? "number"
        case let .dim(d): return "dim" + (d.value.map { " = \($0)" } ?? "")
        case .bool: return "bool"
        case .string: return "string"
        case let .tensor(t): return t.description
        case let .list(e): return e == .unknown ? "list" : "list of \(e)"
        case .range: return "range"
        case let .record(r): return "record {" + zip(r.names, r.types).map { "\($0): \($1)" }.joined(separator: ", ") + "}"
        case let .function(name, arity): return "fn \(name)(\(arity) parameter\(arity == 1 ? "" : "s"))"
        case let .builtin(name): return "builtin \(name)"
        case let .model(m): return m.input == .unknown ? "model" : "model " + m.description
        case let .encoder(e): return e.description.isEmpty ? "encoder" : "encoder " + e.description
        case let .dataset(cols): return "dataset {" + cols.keys.sorted().joined(separator: ", ") + "}"
        case .optimizer: return "optimizer"
        case .schedule: return "schedule"
        }
    }

    /// The tensor type when the value is a tensor (or may be one: unknown), nil for other kinds.
    var tensorType: TensorType? {
        switch self {
        case let .tensor(t): return t
        case .unknown: return .unknown
        case .none, .number, .dim, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            return nil
        }
    }

    /// The same kind with constants and shapes forgotten (the type of a variable that is reassigned later).
    var widened: LangType {
        switch self {
        case .number, .dim: return .number(nil)
        case let .tensor(t): return .tensor(TensorType(shape: nil, dtype: t.dtype))
        case .list: return .list(.unknown)
        case .none: return .unknown
        case .model: return .model(.unknown)
        case .encoder: return .encoder(.unknown)
        case .unknown, .bool, .string, .range, .record, .function, .builtin, .dataset, .optimizer, .schedule:
            return self
        }
    }
}
