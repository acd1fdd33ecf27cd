/// The kinds of value a script handles, as members see them: what properties a value has and which builtins are its
/// methods (`x.sum()` is `sum(x)`). A `param` is a tensor here, and builtins are functions.
public enum ValueKind: String, Sendable, CaseIterable, Hashable {
    case none, number, bool, string, tensor, list, range, record, function, model, encoder, dataset, optimizer, schedule

    /// The properties every value of the kind has (records, datasets and models add their own fields).
    public var propertyNames: [String] {
        switch self {
        case .tensor: return ["shape", "dtype", "rank", "count", "T"]
        case .list, .string: return ["count"]
        case .range: return ["count", "start", "end"]
        case .dataset: return ["count", "columns"]
        case .model: return ["kind", "frozen", "parameters"]
        case .encoder: return ["kind", "n", "dim", "parameters", "tokens"]
        case .optimizer: return ["kind", "lr", "base_lr", "steps", "loss"]
        case .schedule: return ["kind", "warmup"]
        case .function: return ["name", "arity"]
        case .none, .number, .bool, .record: return []
        }
    }
}

extension Value {
    /// The kind of the value (a `param` is a tensor, a builtin a function).
    public var kind: ValueKind {
        switch self {
        case .none: return .none
        case .number: return .number
        case .bool: return .bool
        case .string: return .string
        case .tensor, .param: return .tensor
        case .list: return .list
        case .range: return .range
        case .record: return .record
        case .function, .builtin: return .function
        case .model: return .model
        case .encoder: return .encoder
        case .dataset: return .dataset
        case .optimizer: return .optimizer
        case .schedule: return .schedule
        }
    }
}

extension LangType {
    /// The kind of the values of this type, or nil when nothing is known.
    public var kind: ValueKind? {
        switch self {
        case .unknown: return nil
        case .none: return ValueKind.none
        case .number, .dim: return .number
        case .bool: return .bool
        case .string: return .string
        case .tensor: return .tensor
        case .list, .numberList: return .list
        case .range: return .range
        case .record: return .record
        case .function, .builtin: return .function
        case .model: return .model
        case .encoder: return .encoder
        case .dataset: return .dataset
        case .optimizer: return .optimizer
        case .schedule: return .schedule
        }
    }
}
