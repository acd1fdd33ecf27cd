/// One name a script declared, as the checker saw it: what an editor shows on hover and jumps to.
public struct Declaration: Sendable {
    /// The name.
    public let name: String
    /// How it was declared.
    public let kind: BindingKind
    /// The type the checker inferred (at the declaration, or where the name was used, for a reference).
    public let type: LangType
    /// Where the name is declared (for `batch`, the `train` statement that binds it).
    public let span: SourceSpan?
    /// Whether it is a top-level name (else a local of a function or block).
    public let isGlobal: Bool
    /// For functions: the parameter names.
    public let parameters: [String]
    /// For functions: the result type the checker inferred.
    public let returnType: LangType
    /// Where a local is visible.
    let visibility: Visibility

    /// Where a local can be used, as far as the declaration itself can say.
    enum Visibility: Sendable {
        /// A top-level name: from its statement on (and in every function body).
        case global
        /// Within one statement (a function's parameters, `batch` in a `train` block).
        case within(SourceSpan)
        /// In the block that follows the name (a `for` loop's variable).
        case followingBlock
        /// From the declaration to the end of the enclosing block (a `let` in a block).
        case restOfBlock
    }

    init(name: String, kind: BindingKind, type: LangType, span: SourceSpan?, isGlobal: Bool, parameters: [String] = [],
         returnType: LangType = .unknown, visibility: Visibility) {
        self.name = name
        self.kind = kind
        self.type = type
        self.span = span
        self.isGlobal = isGlobal
        self.parameters = parameters
        self.returnType = returnType
        self.visibility = visibility
    }

    /// The declaration a binding stands for, with the type it has at this point of the program.
    init(_ b: Binding) {
        let type: LangType = b.kind == .function ? .function(b.name, arity: b.parameterNames.count) : b.type
        self.init(name: b.name, kind: b.kind, type: type, span: b.span, isGlobal: b.isGlobal, parameters: b.parameterNames,
                  returnType: b.returnType, visibility: b.isGlobal ? .global : .restOfBlock)
    }
}

/// What a name, a call, a member or a label in a source refers to, as the checker resolved it.
public enum Referent: Sendable {
    /// A name a script declared (in this source or in an imported one).
    case declared(Declaration)
    /// A builtin used by name.
    case builtin(Builtin)
    /// A method of a value (`opt.step`).
    case method(Builtin)
    /// A property of a value (`x.shape`): its name, the receiver's type and its own type.
    case property(name: String, receiver: LangType, type: LangType)
    /// A named argument of a builtin.
    case argument(Builtin, BuiltinParameter)
    /// A named argument of a function a script declared, and the parameter's declaration.
    case parameterLabel(function: String, parameter: Declaration)
    /// The file an `import` reads, by its canonical path.
    case importedFile(path: String)
}

/// A place in a source and what is there.
public struct Occurrence: Sendable {
    /// The name (or the `import` statement) in the source.
    public let span: SourceSpan
    /// What it refers to.
    public let referent: Referent
    /// Whether this is where the name is declared.
    public let isDeclaration: Bool
}

/// What the checker records for an editor while it checks a source: every declaration, every resolved use of a
/// name, and every file an `import` read. Recording is off (nil) when a script runs.
final class SourceIndex {
    /// Each resolved name, call, member and label of the source, in checking order.
    private(set) var occurrences: [Occurrence] = []
    /// Each declaration, top-level and local, in checking order.
    private(set) var declarations: [Declaration] = []
    /// Each `import` that read a file: the statement, the file's canonical path and its source.
    private(set) var imports: [(span: SourceSpan, path: String, file: SourceFile)] = []

    func declare(_ d: Declaration) {
        declarations.append(d)
        if let span = d.span { occurrences.append(Occurrence(span: span, referent: .declared(d), isDeclaration: true)) }
    }

    func refer(_ span: SourceSpan, to referent: Referent) {
        occurrences.append(Occurrence(span: span, referent: referent, isDeclaration: false))
    }

    func imported(_ span: SourceSpan, path: String, file: SourceFile) {
        imports.append((span, path, file))
        refer(span, to: .importedFile(path: path))
    }
}
