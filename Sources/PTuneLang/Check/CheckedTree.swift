import PTuneCore

/// Where a name's value lives while the program runs.
enum Slot: Equatable {
    /// A session-wide slot (read only once it holds a value: a declaration that failed leaves it empty).
    case global(Int, name: String)
    /// A slot of the running frame.
    case local(Int)
    /// A value the running function captured when it was made.
    case capture(Int)
    /// The running function itself.
    case itself
    /// Function `k` of the running function's group (see ``CheckedStmt/functionGroup(_:into:)``).
    case sibling(Int)
}

/// An expression after checking, as ``CodeGen`` compiles it: every name resolved to a slot or a builtin, every call
/// bound to its callee, and nothing left for the run to look up by name.
indirect enum CheckedExpr {
    /// A value known before running: a literal, or a builtin used as a value.
    case constant(Value)
    /// Reads a slot.
    case load(Slot, SourceSpan)
    /// `[a, b, c]`
    case list([CheckedExpr])
    /// `{lr: 0.001, acc: 0.9}`: field names and values, in order
    case record([String], [CheckedExpr])
    /// `[[1, 2], [3, 4]]`: a list of numbers (nested lists of numbers), exact; a tensor only where one is asked for.
    case tensorLiteral(TensorLiteral, SourceSpan)
    /// `64 -> 256 -> 64`: integer sizes.
    case sizes([CheckedExpr], SourceSpan)
    /// `-x`, `+x`, `not x`
    case unary(UnaryOp, CheckedExpr, SourceSpan)
    /// `a op b` (`and` and `or` short-circuit).
    case binary(BinaryOp, CheckedExpr, CheckedExpr, SourceSpan)
    /// A builtin known before running, its arguments (a method's receiver first) bound to parameters by `plan`.
    case builtinCall(Builtin, BindingPlan, [CheckedExpr], SourceSpan)
    /// A function declared with `fn`, read from its slot, with its arguments in parameter order.
    case userCall(CheckedExpr, name: String, [CheckedExpr], SourceSpan)
    /// A call whose callee is only known at run time (a model, an encoder, a function value).
    case dynamicCall(CheckedExpr, [CheckedExpr], labels: [String?], SourceSpan)
    /// `recv.name(args)` where the receiver's kind is only known at run time.
    case methodCall(CheckedExpr, String, [CheckedExpr], labels: [String?], SourceSpan)
    /// `x.name`
    case member(CheckedExpr, String, SourceSpan)
    /// `x[…]`
    case index(CheckedExpr, [CheckedSubscript], SourceSpan)
    /// `if cond { a } else { b }`
    case conditional(CheckedExpr, SourceSpan, CheckedExpr, CheckedExpr)
    /// `fn(x) = …`: a function value made when this runs, capturing the values its body reads from the frame.
    case closure(CheckedFunction)
    /// An expression with a mistake the checker reported: the program is rejected before this could run.
    case invalid(SourceSpan)
}

/// One entry of a checked index expression.
enum CheckedSubscript {
    /// One position (or a record's field name), and where it is written.
    case at(CheckedExpr, SourceSpan)
    /// `start:end:step`, any part omitted.
    case slice(CheckedExpr?, CheckedExpr?, CheckedExpr?, SourceSpan)
}

/// An expression's static type with its checked form.
struct Checked {
    var type: LangType
    var expr: CheckedExpr
}

/// A function declared with `fn`, checked: its frame and its body.
struct CheckedFunction {
    enum Body {
        /// `= expr`
        case expression(CheckedExpr)
        /// `{ … }`, with `return`.
        case block([CheckedStmt])
    }

    let name: String
    let parameterNames: [String]
    /// Each parameter's default value, nil where it has none.
    let parameterDefaults: [Value?]
    /// Local slots a call needs (parameters first).
    let frameSize: Int
    let span: SourceSpan
    let body: Body
    /// Where each value the function captures comes from in the frame that makes it (empty for a top-level one).
    var captures: [Slot] = []
}

/// A statement after checking, as ``CodeGen`` compiles it.
indirect enum CheckedStmt {
    /// Does nothing when run: a statement whose mistake was reported, an import already done, a top-level
    /// expression (whose value the REPL wants, compiled apart), a `dtype` with an unknown name.
    case nothing
    /// `seed n`: the value, the statement, and where the value is written.
    case seed(CheckedExpr, SourceSpan, valueSpan: SourceSpan)
    /// `dtype float64`
    case dtype(DType)
    /// A declaration: the value, where it is written, what is declared, and where it is stored. `dtype` is the
    /// default dtype there (a number declared as a `param` becomes a tensor of it).
    case declare(CheckedExpr, valueSpan: SourceSpan, kind: BindingKind, name: String, dtype: DType, into: Slot)
    /// `fn name(…)`, stored in a global slot (top level) or a local one (in a block), made when this runs.
    case function(CheckedFunction, into: Slot)
    /// Local functions declared one after another in a block (`fn even(n) = …` then `fn odd(n) = …`), made together
    /// so that each may call the others; each stored in its local slot.
    case functionGroup([CheckedFunction], into: [Slot])
    /// `if cond { … } else { … }`, with where the condition is written.
    case ifElse(CheckedExpr, SourceSpan, [CheckedStmt], [CheckedStmt]?)
    /// `for x in xs { … }`: the variable's local slot, the iterable and where it is written, the body.
    case forIn(slot: Int, CheckedExpr, SourceSpan, [CheckedStmt])
    /// `while cond { … }`
    case whileLoop(CheckedExpr, SourceSpan, [CheckedStmt])
    /// `train … on … { … }`, its history stored when it is bound (`let run = train …`).
    case train(TrainBlock<CheckedExpr>, result: Slot?)
    /// `print a, b`
    case print([CheckedExpr], SourceSpan)
    /// `assert cond, message`: the condition and where it is written, the message, the statement.
    case assert(CheckedExpr, SourceSpan, CheckedExpr?, SourceSpan)
    /// `save x to path`, `x` declared as `name`.
    case save(CheckedExpr, to: CheckedExpr, name: String, SourceSpan)
    /// `load name from path`: the name's slot and where it is written, the path, the statement.
    case load(Slot, name: String, SourceSpan, from: CheckedExpr, SourceSpan)
    /// `import "file.pt"`: the file's statements.
    case importFile([CheckedStatement])
    /// `return [value]`
    case returnValue(CheckedExpr?)
    /// `break`
    case breakLoop
    /// `continue`
    case continueLoop
    /// `name = value` (a compound assignment's value already combines the old one).
    case assign(Slot, CheckedExpr, SourceSpan)
    /// `p -= value` on a param: updated in place, staying the same trainable leaf.
    case updateParam(CheckedExpr, BinaryOp, CheckedExpr, SourceSpan)
    /// `base.name = value`, or `base.name op= value`.
    case setMember(CheckedExpr, String, BinaryOp?, CheckedExpr, SourceSpan)
    /// An expression evaluated for its effects.
    case evaluate(CheckedExpr)
}

/// A top-level statement after checking.
struct CheckedStatement {
    /// Where the statement is.
    let span: SourceSpan
    /// The statement.
    let body: CheckedStmt
    /// For a bare expression: the expression and its type (the REPL prints the value).
    let value: Checked?
    /// Local slots it needs while running.
    let frameSize: Int
    /// The session's names once this statement has run.
    let tableAfter: GlobalTable
}
