/// What a name is bound to.
public enum BindingKind: String, Sendable {
    /// `let`
    case `let`
    /// `dim`
    case dim
    /// `param` (trainable tensor)
    case param
    /// `frozen` (constant tensor)
    case frozen
    /// `model`
    case model
    /// `model … frozen`
    case frozenModel = "frozen model"
    /// `encoder`
    case encoder
    /// `data`
    case data
    /// `fn`
    case function = "fn"
    /// The variable of a `for` loop.
    case loopVariable = "loop variable"
    /// A parameter of a function.
    case parameter
    /// `let h = train …`: a training history.
    case history

    init(_ kind: DeclKind) {
        switch kind {
        case .let: self = .let
        case .dim: self = .dim
        case .param: self = .param
        case .frozen: self = .frozen
        case .model: self = .model
        case .frozenModel: self = .frozenModel
        case .encoder: self = .encoder
        case .data: self = .data
        }
    }

    /// Whether `name = value` may rebind it.
    var isReassignable: Bool {
        switch self {
        case .let, .loopVariable, .parameter, .history: return true
        case .dim, .param, .frozen, .model, .frozenModel, .encoder, .data, .function: return false
        }
    }
}

/// Where a name's value is found by the code that uses it.
enum BindingPlace: Equatable {
    /// In a slot of the frame (or a global slot).
    case frame
    /// In the running function's captures: a local of a frame around it, as it was when the function was made.
    case capture
    /// The running function itself (a local function's own name inside it).
    case itself
    /// Another function of the running function's group (local functions declared one after another, which may
    /// call each other): its index in the group.
    case sibling(Int)
}

/// A name the checker knows: where its value lives and what it is.
struct Binding {
    var name: String
    var slot: Int
    var kind: BindingKind
    var type: LangType
    var span: SourceSpan?
    var isGlobal: Bool
    /// Where a local of a function lives: its frame, or (seen from a function inside) the function's captures.
    var place: BindingPlace = .frame
    /// For functions: parameter names and the inferred result type.
    var parameterNames: [String] = []
    /// For functions: each parameter's default value, nil where it has none.
    var parameterDefaults: [Value?] = []
    var returnType: LangType = .unknown
    /// For functions: the declaration, re-checked at call sites with the arguments' types.
    var decl: FunctionDecl?
}

/// The top-level names of a session, persistent across statements (and REPL lines).
struct GlobalTable {
    /// Every binding, by slot (a slot keeps its binding after the name is rebound).
    var bindings: [Binding] = []
    /// The current slot of each name.
    var slots: [String: Int] = [:]
    /// Files already imported (canonical paths): each runs once per session.
    var imported: Set<String> = []
    /// The text columns written as literal lists in `data NAME = dataset(…)`, by where NAME is declared: a block with
    /// `task:` checks their tasks against its encoders before running (also on a later REPL line).
    var literalColumns: [String: [String: [String]]] = [:]

    /// The binding a name currently refers to.
    func lookup(_ name: String) -> Binding? { slots[name].map { bindings[$0] } }

    /// Binds `name` (reusing its slot when it is already bound) and returns the slot.
    mutating func declare(_ name: String, kind: BindingKind, type: LangType, span: SourceSpan?) -> Int {
        if let s = slots[name] {
            bindings[s] = Binding(name: name, slot: s, kind: kind, type: type, span: span, isGlobal: true)
            return s
        }
        let s = bindings.count
        bindings.append(Binding(name: name, slot: s, kind: kind, type: type, span: span, isGlobal: true))
        slots[name] = s
        return s
    }
}
