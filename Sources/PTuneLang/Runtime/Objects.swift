import PTuneCore
import PTuneNN

/// A function declared with `fn`.
public final class UserFunction: @unchecked Sendable {
    /// Its name.
    public let name: String
    /// Its parameters' names.
    public let parameterNames: [String]
    /// Each parameter's default value, nil where it has none.
    let defaults: [Value?]
    /// How many local slots a call needs (parameters first).
    let frameSize: Int
    /// The compiled body.
    let body: Code
    /// Where it is declared.
    let span: SourceSpan
    /// Its checked form (an export reads a loss through the functions it calls).
    var checked: CheckedFunction?
    /// The values it captured from the frame it was made in (a local function or a function expression).
    let captures: [Value]
    /// The local functions declared together with it, which it may call (see ``FunctionGroup``), if any.
    let group: FunctionGroup?

    init(name: String, parameterNames: [String], defaults: [Value?] = [], frameSize: Int, span: SourceSpan,
         captures: [Value] = [], group: FunctionGroup? = nil, body: @escaping Code) {
        self.name = name
        self.parameterNames = parameterNames
        self.defaults = defaults
        self.frameSize = frameSize
        self.span = span
        self.captures = captures
        self.group = group
        self.body = body
    }

    /// The same function holding `values` as its captures (and belonging to `group`, if given).
    func closing(over values: [Value], group: FunctionGroup? = nil) -> UserFunction {
        let f = UserFunction(name: name, parameterNames: parameterNames, defaults: defaults, frameSize: frameSize, span: span,
                             captures: values, group: group, body: body)
        f.checked = checked
        return f
    }

    /// How many parameters it takes.
    public var arity: Int { parameterNames.count }
}

/// Local functions declared one after another in a block, made together so that each may call the others
/// (`fn even(n) = … odd(n - 1)` then `fn odd(n) = … even(n - 1)`). The group holds the compiled functions and each
/// one's captured values, never the functions made from them, so a member reaches its siblings without a reference
/// cycle: ``member(_:)`` makes sibling `k` when it is called or used as a value.
final class FunctionGroup: @unchecked Sendable {
    /// The compiled functions, without captures.
    let functions: [UserFunction]
    /// What each function captured when the group was made.
    let captures: [[Value]]

    init(functions: [UserFunction], captures: [[Value]]) {
        self.functions = functions
        self.captures = captures
    }

    /// Function `k` of the group, holding its captures; nil for an index the group does not have.
    func member(_ k: Int) -> UserFunction? {
        guard k >= 0, k < functions.count, k < captures.count else { return nil }
        return functions[k].closing(over: captures[k], group: self)
    }
}

/// What a model value wraps beyond PTuneNN's interfaces (a tokenizer, text generation): PTuneModels' builtins keep
/// their model here and find it again when a method is called.
public protocol ModelBacking: AnyObject {}

/// A model: a PTuneNN layer or frozen network that maps tensors to tensors (`llm(x)`), trainable unless frozen.
public final class ModelObject: @unchecked Sendable, CustomStringConvertible {
    /// The constructor it came from (`linear`, `mlp`, `gpt`, …).
    public let kind: String
    /// How it was built, for printing: `mlp(64 -> 256 -> 64, act: gelu, residual: true)`.
    public let summary: String
    /// The network as a layer, when it is one.
    public let layer: (any Layer)?
    /// The network as a model p-tuning can drive (token embeddings in, outputs out), when it is one.
    public let frozenModel: (any FrozenModel)?
    /// Anything else a library attached (see ``ModelBacking``).
    public let backing: (any ModelBacking)?
    /// Its parameters (PTuneNN's, named by dotted paths).
    public let parameters: [Parameter]
    /// Read-only facts scripts can ask for: `m.dim`, `m.vocab`.
    public let properties: [(String, Value)]
    /// The name or path it was loaded by (`load("smollm2-135m")`), for a pretrained model.
    public let source: String?
    /// The forward pass on a tensor.
    let forward: (Tensor) throws -> Tensor
    /// The scalars of weights that are not parameters (a loaded model's quantized matrices), counted with them.
    let frozenWeightCount: Int
    /// Where PEFT and transformers find this model (its Hugging Face name or folder), when known: a pretrained
    /// model loaded by name or from a folder.
    var origin: String?
    /// What the checker knows of it once it exists (a REPL line after `let lm = load(…)` checks widths against it).
    let shape: ModelShape

    init(kind: String, summary: String, layer: (any Layer)? = nil, frozenModel: (any FrozenModel)? = nil,
         backing: (any ModelBacking)? = nil, parameters: [Parameter], properties: [(String, Value)] = [],
         source: String? = nil, frozenWeightCount: Int = 0, shape: ModelShape = .unknown,
         forward: @escaping (Tensor) throws -> Tensor) {
        self.frozenWeightCount = frozenWeightCount
        self.shape = shape
        self.kind = kind
        self.source = source
        self.summary = summary
        self.layer = layer
        self.frozenModel = frozenModel
        self.backing = backing
        self.parameters = parameters
        self.properties = properties
        self.forward = forward
    }

    /// A model wrapping a PTuneNN layer.
    convenience init(kind: String, summary: String, layer: any Layer, properties: [(String, Value)] = [], shape: ModelShape = .unknown) {
        self.init(kind: kind, summary: summary, layer: layer, frozenModel: layer as? any FrozenModel,
                  parameters: layer.parameters, properties: properties, shape: shape, forward: { try layer($0) })
    }

    /// Whether every weight is frozen (`model m = … frozen`): optimizers refuse it, `train` verifies it unchanged,
    /// and no gradient is ever computed for it.
    public var isFrozen: Bool { !parameters.isEmpty && parameters.allSatisfy(\.isFrozen) }

    /// Freezes every weight.
    public func freeze() { parameters.freezeAll() }

    /// Makes every weight trainable.
    public func unfreeze() { parameters.unfreezeAll() }

    /// The number of scalar parameters, quantized frozen weights included.
    public var parameterCount: Int { parameters.parameterCount + frozenWeightCount }

    /// `model mlp(64 -> 256 -> 64) frozen, 33,088 parameters`
    public var description: String {
        "model \(summary)\(isFrozen ? " frozen" : ""), \(Count.grouped(parameterCount)) parameters"
    }
}

/// A prompt encoder (PTuneNN's): trainable weights whose output is the virtual tokens, `[n, dim]`.
public final class EncoderObject: @unchecked Sendable, CustomStringConvertible {
    /// The encoder.
    public let encoder: any PromptEncoder
    /// How it was built, for printing.
    public let summary: String
    /// The last template that placed its tokens other than all before the text (PEFT's one placement), if any:
    /// an export to PEFT would lose it.
    var placement: String?

    init(_ encoder: any PromptEncoder, summary: String) {
        self.encoder = encoder
        self.summary = summary
    }

    /// Remembers `template` (written `source`) when it places the tokens other than PEFT does.
    func notePlacement(_ template: PromptTemplate, source: String) {
        if !template.isPrepending { placement = source }
    }

    /// The encoder's kind (`embedding`, `mlp`, `lstm`, `scale`).
    public var kind: PromptEncoderKind { encoder.config.kind }
    /// The number of virtual tokens.
    public var count: Int { encoder.numVirtualTokens }
    /// The embedding dimension of each token.
    public var dim: Int { encoder.tokenDim }
    /// Its parameters.
    public var parameters: [Parameter] { encoder.parameters }
    /// Computes the virtual tokens.
    func encode() throws -> Tensor { try encoder.encode() }

    /// The number of scalar parameters.
    public var parameterCount: Int { encoder.parameterCount }

    /// `encoder mlp(10 virtual tokens × 64, hidden 256), 83,520 parameters`
    public var description: String { "encoder \(summary), \(Count.grouped(parameterCount)) parameters" }
}

/// The learning-rate schedules a script can make; the raw value is the builtin that makes one.
public enum ScheduleKind: String, Sendable, CaseIterable {
    /// A constant rate after an optional linear warm-up.
    case constant
    /// Linear warm-up, then linear decay to 0.
    case linearDecay = "linear_decay"
    /// Linear warm-up, then a half-cosine decay to 0.
    case cosine
}

/// A learning-rate schedule as written in a script (`cosine(warmup: 10)`): PTuneNN's schedule once the number of
/// steps is known (a `train` block knows it; an explicit loop passes `steps:`).
public final class ScheduleObject: @unchecked Sendable, CustomStringConvertible {
    /// Which schedule it is.
    public let kind: ScheduleKind
    /// Warm-up steps.
    public let warmup: Int
    /// The total steps given when it was made, if any.
    public let steps: Int?
    /// PTuneNN's schedule over `total` steps.
    let make: (_ total: Int) -> LRSchedule

    init(kind: ScheduleKind, warmup: Int, steps: Int?, make: @escaping (Int) -> LRSchedule) {
        self.kind = kind
        self.warmup = warmup
        self.steps = steps
        self.make = make
    }

    /// `schedule cosine(warmup: 10)`
    public var description: String { "schedule \(kind.rawValue)(warmup: \(warmup)\(steps.map { ", steps: \($0)" } ?? ""))" }
}

/// Thousands separators for counts in messages: `300,288`.
public enum Count {
    /// `n` with a comma every three digits: 1234567 → `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
