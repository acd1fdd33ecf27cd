import PTuneCore

/// A binary operator.
public enum BinaryOp: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", matmul = "@", power = "**"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and, or
    case rangeInclusive = "..", rangeExclusive = "..<"
}

/// A prefix operator.
public enum UnaryOp: String, Sendable, CaseIterable {
    case negate = "-", plus = "+", not
}

/// `=` or a compound assignment.
public enum AssignOp: String, Sendable, CaseIterable {
    case assign = "=", add = "+=", subtract = "-=", multiply = "*=", divide = "/="

    /// The arithmetic a compound assignment applies (nil for plain `=`).
    public var binary: BinaryOp? {
        switch self {
        case .assign: return nil
        case .add: return .add
        case .subtract: return .subtract
        case .multiply: return .multiply
        case .divide: return .divide
        }
    }
}

/// One argument of a call: `lr: 0.01` or `x`.
public struct Argument: Sendable {
    /// The name before `:`, if any.
    public var label: String?
    /// Where the label is.
    public var labelSpan: SourceSpan?
    /// The value.
    public var value: Expr
}

/// One entry of an index expression: `x[0]`, `x[1:3]`, `x[::2]`.
public enum Subscript: Sendable {
    /// One position; the axis is dropped.
    case at(Expr)
    /// A slice `start:end:step`, any part omitted.
    case slice(start: Expr?, end: Expr?, step: Expr?, span: SourceSpan)
}

/// An expression. Every case carries the span it covers, for diagnostics.
public indirect enum Expr: Sendable {
    /// `3`, `0.01`, `1e-3`
    case number(Double, SourceSpan)
    /// `"text"`
    case string(String, SourceSpan)
    /// `true`, `false`
    case bool(Bool, SourceSpan)
    /// `none`
    case none(SourceSpan)
    /// A name: a variable, dim, function or builtin.
    case name(String, SourceSpan)
    /// `[a, b, c]` (a list of values)
    case list([Expr], SourceSpan)
    /// `[[1, 2], [3, 4]]` (a list of numbers only: a tensor)
    case tensor(TensorLiteral, SourceSpan)
    /// `64 -> 256 -> 64`: layer sizes
    case chain([Expr], SourceSpan)
    /// `-x`, `not done`
    case unary(UnaryOp, Expr, SourceSpan)
    /// `a + b`, `x @ w`, `1..10`
    case binary(BinaryOp, Expr, Expr, SourceSpan)
    /// `f(x, lr: 0.1)`
    case call(Expr, [Argument], SourceSpan)
    /// `x.shape`
    case member(Expr, String, SourceSpan)
    /// `x[0, 1:3]`
    case index(Expr, [Subscript], SourceSpan)
    /// `{lr: 0.001, acc: 0.9}`: a record of named fields, in order
    case record([RecordField], SourceSpan)
    /// `if cond { a } else { b }`: one of two expressions
    case conditional(Expr, Expr, Expr, SourceSpan)
    /// `fn(x) = x * x`, `fn(x) { … }`: a function made where it is written, seeing the locals around it
    case lambda(FunctionDecl, SourceSpan)

    /// The span the expression covers.
    public var span: SourceSpan {
        switch self {
        case let .number(_, s), let .string(_, s), let .bool(_, s), let .none(s), let .name(_, s), let .list(_, s),
             let .tensor(_, s), let .chain(_, s), let .unary(_, _, s), let .binary(_, _, _, s), let .call(_, _, s),
             let .member(_, _, s), let .index(_, _, s), let .record(_, s), let .conditional(_, _, _, s), let .lambda(_, s):
            return s
        }
    }
}

/// One field of a record literal: `lr: 0.001`.
public struct RecordField: Sendable {
    /// The field's name.
    public let name: String
    /// Where the name is.
    public let nameSpan: SourceSpan
    /// Its value.
    public let value: Expr
}

/// What a declaration declares.
public enum DeclKind: String, Sendable, CaseIterable {
    /// `let x = …` — a value (reassignable).
    case `let`
    /// `dim embed = 4` — a named integer dimension.
    case dim
    /// `param p = …` — a trainable tensor.
    case param
    /// `frozen w = …` — a constant tensor.
    case frozen
    /// `model m = …` — a model (trainable unless frozen).
    case model
    /// `model m = … frozen`
    case frozenModel = "frozen model"
    /// `encoder pe = …` — a prompt encoder.
    case encoder
    /// `data d = …` — a dataset.
    case data
}

/// `fn name(params) = expr` or `fn name(params) { … }`; a function expression `fn(params) …` has no name of its own.
public struct FunctionDecl: Sendable {
    /// The name a function expression goes by in messages until a `let` names it.
    public static let anonymous = "fn"

    /// The function's name.
    public var name: String
    /// Where the name is.
    public var nameSpan: SourceSpan
    /// The parameters' names and spans.
    public var parameters: [(name: String, span: SourceSpan)]
    /// Each parameter's default (`k = 2`), nil where it has none; empty when no parameter has one.
    public var defaults: [Expr?] = []
    /// The body.
    public var body: FunctionBody
    /// The whole declaration.
    public var span: SourceSpan
}

/// A function body: one expression, or a block with `return`.
public enum FunctionBody: Sendable {
    /// `= expr`
    case expression(Expr)
    /// `{ statements }`
    case block([Stmt])
}

/// What a cadence counts.
public enum CadenceUnit: Sendable {
    /// Optimizer steps.
    case steps
    /// Passes over the dataset.
    case epochs

    /// The unit a word names: `step` or `steps`, `epoch` or `epochs`.
    init?(word: String) {
        switch word {
        case "step", "steps": self = .steps
        case "epoch", "epochs": self = .epochs
        default: return nil
        }
    }
}

/// When something happens during training: `every 10 steps`.
public struct Cadence: Sendable {
    /// How many units between events.
    public var count: Expr
    /// What is counted.
    public var unit: CadenceUnit
    /// Where the cadence is written.
    public var span: SourceSpan
}

/// One `name: value [every k steps]` line of a `train` block.
public struct TrainOption: Sendable {
    /// The option's name (`loss`, `optimizer`, `batch`, …).
    public var name: String
    /// Where the name is.
    public var nameSpan: SourceSpan
    /// The value, if any (`log: every 10 steps` has none).
    public var value: Expr?
    /// The cadence, if any.
    public var cadence: Cadence?
    /// Where `if exists` is, when written after the value (`resume: "pe.ckpt" if exists`).
    public var ifExists: SourceSpan? = nil
}

/// One thing a `train` block trains: a name (an encoder, a param, a model, or a record of encoders), or a record of
/// encoders written in place, one per task (`train {a: pe_a, b: pe_b} on data { task: batch.task … }`).
public struct TrainTargetDecl: Sendable {
    /// The target as written: `.name`, or `.record` for a record written in place.
    public var expr: Expr
    /// How messages and the training log name it: the name, or the record as `{a: pe_a, b: pe_b}`.
    public var name: String
    /// Where it is written.
    public var span: SourceSpan { expr.span }

    /// A target of `expr` (a name or a record literal), named as it reads.
    public init(_ expr: Expr) {
        self.expr = expr
        switch expr {
        case let .name(n, _):
            name = n
        case let .record(fields, _):
            name = "{" + fields.map { f in
                if case let .name(v, _) = f.value { return "\(f.name): \(v)" }
                return "\(f.name): …"
            }.joined(separator: ", ") + "}"
        case .number, .string, .bool, .none, .tensor, .list, .chain, .unary, .binary, .call, .member, .index, .conditional,
             .lambda:
            name = "…"
        }
    }
}

/// `train pe on data { … }`, optionally bound: `let run = train …`.
public struct TrainDecl: Sendable {
    /// What is trained: encoders, params or models by name, or records of encoders written in place.
    public var targets: [TrainTargetDecl]
    /// The dataset expression after `on`.
    public var data: Expr
    /// The options, in order.
    public var options: [TrainOption]
    /// The name the training history is bound to (`let run = train …`).
    public var result: (name: String, span: SourceSpan)?
    /// The whole statement.
    public var span: SourceSpan
}

/// A statement. Every case carries its span.
public indirect enum Stmt: Sendable {
    /// `seed 42`
    case seed(Expr, SourceSpan)
    /// `dtype float64` (the dtype's name and where it is)
    case dtype(String, SourceSpan, SourceSpan)
    /// `let`, `dim`, `param`, `frozen`, `model`, `encoder`, `data`: kind, name, name span, value, whole span
    case declare(DeclKind, String, SourceSpan, Expr, SourceSpan)
    /// `fn …`
    case function(FunctionDecl)
    /// `if cond { … } else { … }`
    case ifElse(Expr, [Stmt], [Stmt]?, SourceSpan)
    /// `for x in xs { … }`: variable, its span, iterable, body, span
    case forIn(String, SourceSpan, Expr, [Stmt], SourceSpan)
    /// `while cond { … }`
    case whileLoop(Expr, [Stmt], SourceSpan)
    /// `train … on … { … }`
    case train(TrainDecl)
    /// `print a, b`
    case print([Expr], SourceSpan)
    /// `assert cond, "message"`
    case assert(Expr, Expr?, SourceSpan)
    /// `save x to "file"`
    case save(Expr, Expr, SourceSpan)
    /// `load x from "file"`: name, name span, path
    case load(String, SourceSpan, Expr, SourceSpan)
    /// `import "other.pt"`
    case importFile(String, SourceSpan)
    /// `return [expr]`
    case returnValue(Expr?, SourceSpan)
    /// `break`
    case breakLoop(SourceSpan)
    /// `continue`
    case continueLoop(SourceSpan)
    /// `target = value`, `target -= value`
    case assign(Expr, AssignOp, Expr, SourceSpan)
    /// A bare expression (its value is printed by the REPL).
    case expression(Expr, SourceSpan)

    /// The span the statement covers.
    public var span: SourceSpan {
        switch self {
        case let .seed(_, s), let .dtype(_, _, s), let .declare(_, _, _, _, s), let .ifElse(_, _, _, s),
             let .forIn(_, _, _, _, s), let .whileLoop(_, _, s), let .print(_, s), let .assert(_, _, s),
             let .save(_, _, s), let .load(_, _, _, s), let .importFile(_, s), let .returnValue(_, s),
             let .breakLoop(s), let .continueLoop(s), let .assign(_, _, _, s), let .expression(_, s):
            return s
        case let .function(f): return f.span
        case let .train(t): return t.span
        }
    }
}
