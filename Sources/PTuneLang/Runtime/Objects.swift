import PTuneCore

/// Compiled code of an expression: evaluates it on the machine.
typealias Code = (Machine) throws -> Value
/// Compiled code of a statement: runs it and says how it finished.
typealias Exec = (Machine) throws -> Flow

/// A function declared with `fn`.
public final class UserFunction: @unchecked Sendable {
    /// Its name.
    public let name: String
    /// Its parameters' names.
    public let parameterNames: [String]
    /// How many local slots a call needs (parameters first).
    let frameSize: Int
    /// The compiled body.
    let body: Code
    /// Where it is declared.
    let span: SourceSpan

    init(name: String, parameterNames: [String], frameSize: Int, span: SourceSpan, body: @escaping Code) {
        self.name = name
        self.parameterNames = parameterNames
        self.frameSize = frameSize
        self.span = span
        self.body = body
    }

    /// How many parameters it takes.
    public var arity: Int { parameterNames.count }
}

/// A named trainable or frozen tensor inside a model or encoder.
public struct NamedParameter {
    /// The name, dotted by module (`fc1.weight`).
    public var name: String
    /// The parameter.
    public var ref: ParamRef
}

/// A model: a layer or a network that maps tensors to tensors (`llm(x)`), trainable unless frozen.
public final class ModelObject: @unchecked Sendable, CustomStringConvertible {
    /// The constructor it came from (`linear`, `mlp`, `gpt`, …).
    public let kind: String
    /// How it was built, for printing: `mlp(64 -> 256 -> 64, act: gelu, residual: true)`.
    public let summary: String
    /// Whether it is frozen (`model m = … frozen`): optimizers refuse it and `train` verifies it unchanged.
    public var isFrozen: Bool
    /// The forward pass.
    let forward: (Tensor) throws -> Tensor
    /// Its parameters.
    public let parameters: [NamedParameter]
    /// Read-only facts scripts can ask for: `m.dim`, `m.vocab`.
    public let properties: [(String, Value)]

    init(kind: String, summary: String, isFrozen: Bool = false, parameters: [NamedParameter],
         properties: [(String, Value)] = [], forward: @escaping (Tensor) throws -> Tensor) {
        self.kind = kind
        self.summary = summary
        self.isFrozen = isFrozen
        self.parameters = parameters
        self.properties = properties
        self.forward = forward
    }

    /// The number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.ref.tensor.count } }

    /// `model mlp(64 -> 256 -> 64) frozen, 33,088 parameters`
    public var description: String {
        "model \(summary)\(isFrozen ? " frozen" : ""), \(Count.grouped(parameterCount)) parameters"
    }
}

/// A prompt encoder: trainable weights whose output is the virtual tokens, `[n, dim]`.
public final class EncoderObject: @unchecked Sendable, CustomStringConvertible {
    /// The encoder's kind (`embedding`, `mlp`, `lstm`, `scale`).
    public let kind: String
    /// How it was built, for printing.
    public let summary: String
    /// The number of virtual tokens.
    public let count: Int
    /// The embedding dimension of each token.
    public let dim: Int
    /// Computes the virtual tokens.
    let encode: () throws -> Tensor
    /// Its parameters.
    public let parameters: [NamedParameter]

    init(kind: String, summary: String, count: Int, dim: Int, parameters: [NamedParameter],
         encode: @escaping () throws -> Tensor) {
        self.kind = kind
        self.summary = summary
        self.count = count
        self.dim = dim
        self.parameters = parameters
        self.encode = encode
    }

    /// The number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.ref.tensor.count } }

    /// `encoder mlp(10 virtual tokens × 64, hidden 256), 83,520 parameters`
    public var description: String { "encoder \(summary), \(Count.grouped(parameterCount)) parameters" }
}

/// A learning-rate schedule: the rate at each step as a multiple of the optimizer's base rate.
public final class ScheduleObject: @unchecked Sendable, CustomStringConvertible {
    /// `constant`, `linear`, `cosine`.
    public let kind: String
    /// Warm-up steps.
    public let warmup: Int
    /// The factor at step `step` (1-based) of `total`.
    let factor: (_ step: Int, _ total: Int) -> Double

    init(kind: String, warmup: Int, factor: @escaping (Int, Int) -> Double) {
        self.kind = kind
        self.warmup = warmup
        self.factor = factor
    }

    /// `schedule cosine(warmup: 10)`
    public var description: String { "schedule \(kind)(warmup: \(warmup))" }
}

/// Thousands separators for counts in messages: `300,288`.
enum Count {
    static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
