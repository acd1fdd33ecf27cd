import PTuneCore
import PTuneNN

/// One parameter of a builtin: its name, what it takes, and its default (absent: required).
public struct BuiltinParameter: Sendable {
    /// The name, usable as a label: `lr: 0.01`.
    public let name: String
    /// What it takes, for documentation: `tensor`, `number`, `int`, `list of params`.
    public let kind: String
    /// The default, written as in a script (`0.01`, `none`); nil when the argument is required.
    public let defaultText: String?
    /// The default value.
    let defaultValue: Value?
    /// Whether it collects every remaining positional argument (`concat(a, b, c)`).
    public let isVariadic: Bool
    /// Whether it collects every named argument no other parameter takes, as a record (`dataset(x: X, y: Y)`).
    public var isNamedRest = false
    /// For the first parameter of a method: the kind of value the method is called on (`x.sum()` for `sum(x)`).
    public var receiverKind: ValueKind?

    /// A required parameter.
    public static func required(_ name: String, _ kind: String) -> BuiltinParameter {
        BuiltinParameter(name: name, kind: kind, defaultText: nil, defaultValue: nil, isVariadic: false)
    }

    /// The required first parameter of a builtin that is also a method of values of `kind`: `sum(x)` is
    /// `x.sum()`.
    public static func receiver(_ name: String, _ kind: ValueKind) -> BuiltinParameter {
        var p = BuiltinParameter(name: name, kind: kind.rawValue, defaultText: nil, defaultValue: nil, isVariadic: false)
        p.receiverKind = kind
        return p
    }

    /// An optional parameter with a default.
    public static func optional(_ name: String, _ kind: String, _ value: Value, _ text: String? = nil) -> BuiltinParameter {
        BuiltinParameter(name: name, kind: kind, defaultText: text ?? value.literalText, defaultValue: value, isVariadic: false)
    }

    /// A parameter that collects named arguments with any name into a record.
    public static func namedRest(_ name: String, _ kind: String) -> BuiltinParameter {
        var p = BuiltinParameter(name: name, kind: kind, defaultText: nil, defaultValue: nil, isVariadic: false)
        p.isNamedRest = true
        return p
    }

    /// A first parameter that collects the positional arguments and makes the builtin a method of values of
    /// `kind`: `concat(a, b)` is `a.concat(b)`.
    public static func variadicReceiver(_ name: String, _ kind: ValueKind) -> BuiltinParameter {
        var p = variadic(name, kind.rawValue)
        p.receiverKind = kind
        return p
    }

    /// A parameter that collects the remaining positional arguments (at least one).
    public static func variadic(_ name: String, _ kind: String) -> BuiltinParameter {
        BuiltinParameter(name: name, kind: kind, defaultText: nil, defaultValue: nil, isVariadic: true)
    }
}

/// What the checker knows about a call's arguments, in parameter order, for a builtin's static rule.
struct CallTypes {
    /// The type of each parameter's argument (`none` for an omitted optional one; a variadic one is `.list`).
    var types: [LangType]
    /// Each variadic argument's type.
    var variadic: [LangType]
    /// Whether parameter `i` was given at the call site.
    var given: [Bool]
    /// The default float dtype at this point of the script.
    var defaultDType: DType
    /// The builtin's name, for messages.
    var name: String
    /// Per parameter, the dims of a size chain given for it (`embed -> 256 -> embed`), names kept.
    var chains: [[Dim]?] = []

    subscript(i: Int) -> LangType { i < types.count ? types[i] : .unknown }
}

/// What a model is able to do, as the builtins that take one need: completion after `lm.` offers a model only the
/// methods it can run.
public enum ModelRole: Sendable, Hashable {
    /// A causal language model (a Llama): scores label words, generates.
    case causalLM
    /// An encoder such as BERT: sentence embeddings.
    case textEncoder
    /// A model with its own tokenizer.
    case tokenizer
}

/// A function built into the language. Each one documents itself — signature, one-line meaning, example — which is
/// what the REPL's `:help` shows, and carries a static rule (the type, and for tensors the shape, of its result)
/// that the checker applies before anything runs.
public final class Builtin: @unchecked Sendable {
    /// The name scripts call it by.
    public let name: String
    /// Its parameters, in order.
    public let parameters: [BuiltinParameter]
    /// What it returns, for documentation (`tensor`, `optimizer`).
    public let returns: String
    /// One line saying what it does.
    public let summary: String
    /// A line of ptune that uses it.
    public let example: String
    /// The group help lists it under.
    public let topic: BuiltinTopic
    /// The kind of value it is a method of (`x.sum()` for `sum(x)`): the kind its first parameter is declared to
    /// receive (``BuiltinParameter/receiver(_:_:)``), or nil.
    public let receiver: ValueKind?
    /// Whether scripts can call it by name (methods such as `step` are only reachable through their receiver).
    public let isGlobal: Bool
    /// What a model must be for this method to apply to it (nil: any model, or not a model method).
    public let modelRole: ModelRole?
    /// The static rule: the result type from the argument types (throws a message for a mistake it can see).
    let infer: (CallTypes) throws -> LangType
    /// The implementation.
    let run: (inout Arguments, Machine) throws -> Value

    /// A builtin. `infer` defaults to `result` regardless of the arguments.
    init(_ name: String, _ parameters: [BuiltinParameter], returns: String, topic: BuiltinTopic, summary: String,
         example: String, modelRole: ModelRole? = nil, result: LangType = .unknown, global: Bool = true,
         infer: ((CallTypes) throws -> LangType)? = nil,
         run: @escaping (inout Arguments, Machine) throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.returns = returns
        self.topic = topic
        self.summary = summary
        self.example = example
        self.infer = infer ?? { _ in result }
        self.receiver = parameters.first?.receiverKind
        self.isGlobal = global
        self.modelRole = modelRole
        self.run = run
    }

    /// `concat(tensors..., axis: 0) -> tensor`
    public var signature: String {
        let ps = parameters.map { p -> String in
            if p.isVariadic { return "\(p.name)..." }
            if p.isNamedRest { return "\(p.name): …" }
            if let d = p.defaultText { return "\(p.name): \(d)" }
            return p.name
        }
        return "\(name)(\(ps.joined(separator: ", "))) -> \(returns)"
    }

    /// The builtin as messages name it: a prompt encoder by its kind (`prefix encoder` for `prefix_encoder`), since
    /// `encoder deep = prefix(…)` calls it by the short name; anything else by its name.
    public var messageName: String {
        name.hasSuffix("_encoder") ? String(name.dropLast("_encoder".count)) + " encoder" : name
    }

    /// The names its arguments may be labelled with (for completion inside a call).
    public var parameterNames: [String] { parameters.map(\.name) }

    /// The index of the parameter named `label`.
    func parameterIndex(_ label: String) -> Int? { parameters.firstIndex { $0.name == label } }
}

/// A builtin's arguments at run time, bound to its parameters in order (a variadic parameter holds a list). They
/// live in slots of the machine's stack that the caller reserved, so a call copies no argument values.
public struct Arguments {
    /// The builtin being called (for messages).
    unowned(unsafe) let builtin: Builtin
    /// The first slot.
    let slots: UnsafeMutablePointer<Value>
    /// How many parameters there are.
    let count: Int
    /// The dtype a list of numbers becomes where a tensor is asked for (the session's default).
    var listDType: DType = .float32

    /// The value of parameter `i` (`none` past the end).
    subscript(i: Int) -> Value {
        get { i < count ? slots[i] : .none }
        nonmutating set { if i < count { slots[i] = newValue } }
    }

    /// The name of parameter `i`.
    func name(_ i: Int) -> String { builtin.parameters[i].name }

    func mismatch(_ i: Int, _ expected: String) -> Message {
        .wrongKind(context: "'\(builtin.messageName)' argument '\(name(i))'", expected: expected, got: self[i].kindText)
    }

    /// Whether argument `i` is absent (`none`).
    func isNone(_ i: Int) -> Bool {
        if case .none = self[i] { return true }
        return false
    }

    /// Argument `i` as a tensor (numbers become rank-0 tensors of `dtype`, float32 when not given; lists of numbers
    /// become tensors of `dtype`, the session's dtype when not given).
    func tensor(_ i: Int, dtype: DType? = nil) throws -> Tensor {
        switch self[i] {
        case let .tensor(t): return t
        case let .param(p): return p.value
        case let .number(v): return try Tensor(scalar: v, dtype: dtype ?? .float32)
        case .list:
            if let t = try self[i].asTensor(dtype: dtype ?? listDType) { return t }
            throw RuntimeFailure(mismatch(i, "a tensor"))
        case .none, .bool, .string, .range, .record, .function, .builtin, .model, .encoder, .dataset, .optimizer,
             .schedule:
            throw RuntimeFailure(mismatch(i, "a tensor"))
        }
    }

    /// Argument `i` as a number (a one-element tensor gives its value).
    func number(_ i: Int) throws -> Double {
        switch self[i] {
        case let .number(v): return v
        case let .tensor(t) where t.count == 1: return try t.scalarValue()
        case .none, .bool, .string, .tensor, .param, .list, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            throw RuntimeFailure(mismatch(i, "a number"))
        }
    }

    /// Argument `i` as an integer.
    func int(_ i: Int) throws -> Int {
        let v = try number(i)
        guard let n = Value.exactInt(v) else {
            throw RuntimeFailure(.notInteger(context: "'\(builtin.messageName)' argument '\(name(i))'", value: Value.number(v).description))
        }
        return n
    }

    /// Argument `i` as an integer, or nil when it is `none`.
    func optionalInt(_ i: Int) throws -> Int? { isNone(i) ? nil : try int(i) }

    /// Argument `i` as a number, or nil when it is `none`.
    func optionalNumber(_ i: Int) throws -> Double? { isNone(i) ? nil : try number(i) }

    /// Argument `i` as a bool.
    func bool(_ i: Int) throws -> Bool {
        guard case let .bool(b) = self[i] else { throw RuntimeFailure(mismatch(i, "a bool")) }
        return b
    }

    /// Argument `i` as a string.
    func string(_ i: Int) throws -> String {
        guard case let .string(s) = self[i] else { throw RuntimeFailure(mismatch(i, "a string")) }
        return s
    }

    /// Argument `i` as a list of values (a variadic parameter always is one).
    func list(_ i: Int) throws -> [Value] {
        switch self[i] {
        case let .list(items): return items.items
        case let .range(lo, hi): return try Arguments.expand(lo, hi)
        case .none, .number, .bool, .string, .tensor, .param, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            throw RuntimeFailure(mismatch(i, "a list"))
        }
    }

    /// The integers of a range as a list, refusing one too long to hold (the tensor element limit applies).
    static func expand(_ lo: Int, _ hi: Int) throws -> [Value] {
        let (n, overflow) = hi.subtractingReportingOverflow(lo)
        let count = overflow ? Int.max : Swift.max(0, n)
        try TensorContext.budget?.ensureRoom(ListValue.bytes(count: count), for: "a list of \(count) items")
        guard count <= 1 << 40 else { throw TensorError.memoryLimit(what: "a list of \(count) items", bytes: ListValue.bytes(count: count), held: 0, limit: 1 << 40) }
        return (lo..<Swift.max(lo, hi)).map { .number(Double($0)) }
    }

    /// Argument `i` as a list of integers (a shape, sizes); a rank-1 tensor of integers also works.
    func ints(_ i: Int) throws -> [Int] {
        if let t = self[i].tensorValue, t.rank <= 1 {
            let ds = t.doubles
            guard ds.allSatisfy({ Value.exactInt($0) != nil }) else {
                throw RuntimeFailure(.wrongKind(context: "'\(builtin.messageName)' argument '\(name(i))'", expected: "a list of integers", got: self[i].kindText))
            }
            return ds.map { Int($0) }
        }
        return try list(i).map { v in
            guard case let .number(x) = v, let n = Value.exactInt(x) else {
                throw RuntimeFailure(.wrongKind(context: "'\(builtin.messageName)' argument '\(name(i))'", expected: "a list of integers", got: "a list holding \(v.kindText)"))
            }
            return n
        }
    }

    /// Argument `i` as a dtype name (`float32`, `float64`, `int64`).
    func dtype(_ i: Int) throws -> DType {
        let s = try string(i)
        guard let d = DType(rawValue: s) else { throw RuntimeFailure(.unknownDType(s)) }
        return d
    }
}
