import PTuneCore
import PTuneNN

/// A value at run time. Small (a tag and at most a tensor's three words) and free of `Any`: every kind a script can
/// hold is a case, and objects with identity (trainable tensors, models, optimizers, …) are classes held by
/// reference.
public enum Value: @unchecked Sendable {
    /// The absence of a value (a function without `return`).
    case none
    /// A number (dims and counts are numbers with integral values).
    case number(Double)
    /// `true` / `false`
    case bool(Bool)
    /// Text.
    case string(String)
    /// A tensor (a constant, or a result that carries its autodiff record).
    case tensor(Tensor)
    /// A trainable tensor declared with `param`: optimizers update it in place.
    case param(Parameter)
    /// A list.
    case list(ListValue)
    /// `lower..<upper` (a range written `a..b` includes `b`: upper is `b + 1`).
    case range(Int, Int)
    /// A record with named fields.
    case record(Record)
    /// A user function.
    case function(UserFunction)
    /// A builtin function.
    case builtin(Builtin)
    /// A model: a layer or a frozen network.
    case model(ModelObject)
    /// A prompt encoder.
    case encoder(EncoderObject)
    /// A dataset with named columns.
    case dataset(DatasetObject)
    /// An optimizer over some parameters.
    case optimizer(OptimizerObject)
    /// A learning-rate schedule.
    case schedule(ScheduleObject)

    /// `a number`, `a tensor [2, 3] float64`, … for messages.
    public var kindText: String {
        switch self {
        case .none: return "none"
        case .number: return "a number"
        case .bool: return "a bool"
        case .string: return "a string"
        case let .tensor(t): return "a tensor \(Shape.describe(t.shape)) \(t.dtype)"
        case let .param(p): return "a param \(Shape.describe(p.value.shape)) \(p.value.dtype)"
        case .list: return "a list"
        case .range: return "a range"
        case .record: return "a record"
        case let .function(f): return "the function '\(f.name)'"
        case let .builtin(b): return "the builtin '\(b.name)'"
        case .model: return "a model"
        case .encoder: return "an encoder"
        case .dataset: return "a dataset"
        case .optimizer: return "an optimizer"
        case .schedule: return "a schedule"
        }
    }

    /// The tensor this value is or holds (a param's current value), or nil.
    @inline(__always) var tensorValue: Tensor? {
        switch self {
        case let .tensor(t): return t
        case let .param(p): return p.value
        case .none, .number, .bool, .string, .list, .range, .record, .function, .builtin, .model, .encoder, .dataset,
             .optimizer, .schedule:
            return nil
        }
    }

    /// The static type that describes this value exactly (used to refine the checker's view in a session).
    var staticType: LangType {
        switch self {
        case .none: return .none
        case let .number(v): return .number(v)
        case .bool: return .bool
        case .string: return .string
        case let .tensor(t): return .tensor(TensorType(shape: t.shape.map { Dim($0) }, dtype: t.dtype))
        case let .param(p): return .tensor(TensorType(shape: p.value.shape.map { Dim($0) }, dtype: p.value.dtype))
        case .list: return .list(.unknown)
        case .range: return .range
        case let .record(r): return .record(RecordType(zip(r.names, r.values.map(\.staticType)).map { ($0, $1) }))
        case let .function(f): return .function(f.name, arity: f.arity)
        case let .builtin(b): return .builtin(b.name)
        case let .model(mo): return .model(mo.shape)
        case let .encoder(e): return .encoder(e.shape)
        case let .dataset(d): return .dataset(d.columnTypes)
        case .optimizer: return .optimizer
        case .schedule: return .schedule
        }
    }
}

extension Value {
    /// A list of `items` (charged to the memory budget in effect; see ``ListValue``).
    public static func list(_ items: [Value]) -> Value { .list(ListValue(items)) }

    /// A list of `items` that grew with a script's input: a memory-limit error when it does not fit the budget.
    static func makeList(_ items: [Value]) throws -> Value { .list(try ListValue.make(items)) }

    /// Checks that a string of `bytes` bytes fits the memory the session has left, naming it if not.
    static func ensureRoom(forString bytes: Int) throws {
        try TensorContext.budget?.ensureRoom(bytes, for: "a string")
    }

    /// `x + y` for strings, checked against the memory the session has left before it is built.
    static func joined(_ x: String, _ y: String) throws -> String {
        try ensureRoom(forString: x.utf8.count &+ y.utf8.count)
        return x + y
    }
}

/// A record: named fields in order (a batch, the parts of a split, a training history). Like a list it knows its
/// nesting depth and is charged to the memory budget, and releasing a deeply nested one is iterative.
public final class Record: @unchecked Sendable {
    /// Field names, in order.
    public let names: [String]
    /// Field values, parallel to `names`.
    public private(set) var values: [Value]
    /// 1 + the depth of the most deeply nested list or record among the fields.
    public let depth: Int
    let charged: Int
    let budget: MemoryBudget?

    /// A record with these fields.
    public init(_ fields: [(String, Value)]) {
        names = fields.map(\.0)
        values = fields.map(\.1)
        let (depth, bytes) = ListValue.measure(values)
        self.depth = depth
        charged = bytes + names.reduce(0) { $0 + $1.utf8.count }
        budget = TensorContext.budget
        budget?.charge(unchecked: charged)
    }

    deinit {
        budget?.release(charged: charged)
        guard depth > 1 else { return }
        var work = ValueTeardown()
        work.take(&values)
        work.run()
    }

    /// Moves the values out (for an iterative teardown).
    func takeValues() -> [Value] {
        defer { values = [] }
        return values
    }

    /// The value of field `name`.
    public subscript(name: String) -> Value? {
        for i in names.indices where names[i] == name { return values[i] }
        return nil
    }
}

extension Parameter {
    /// The parameter's current value (what a `param` variable reads as in scripts).
    public var tensor: Tensor { value }
}
