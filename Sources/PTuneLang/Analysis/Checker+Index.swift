extension Checker {
    /// Whether this pass records for an editor: an index is attached, and this is the main pass over the source
    /// (not a function body re-checked for a call site, not an imported file).
    var isRecording: Bool { index != nil && inferenceDepth == 0 && importStack.isEmpty }

    /// Records that the name at `span` refers to `b`.
    func recordReference(_ span: SourceSpan, to b: Binding) {
        guard isRecording, let index else { return }
        index.refer(span, to: .declared(Declaration(b)))
    }

    /// Records that the name at `span` is the builtin `b`.
    func recordBuiltin(_ span: SourceSpan, _ b: Builtin) {
        guard isRecording, let index else { return }
        index.refer(span, to: .builtin(b))
    }

    /// Records a member of a value: `span` covers `base.name`, and the name is its last `name.utf8.count` bytes.
    func recordMember(_ span: SourceSpan, _ name: String, _ referent: Referent) {
        guard isRecording, let index else { return }
        let nameSpan = SourceSpan(file: span.file, start: Swift.max(span.start, span.end - name.utf8.count), end: span.end)
        index.refer(nameSpan, to: referent)
    }

    /// Records the labels of a call's named arguments: builtin parameters, or a declared function's.
    func recordLabels(_ args: [Argument], builtin: Builtin?, function: Binding?) {
        guard isRecording, let index else { return }
        for a in args {
            guard let label = a.label, let span = a.labelSpan else { continue }
            if let builtin, let p = builtin.parameters.first(where: { $0.name == label }) {
                index.refer(span, to: .argument(builtin, p))
            } else if let function, let decl = function.decl, let p = decl.parameters.first(where: { $0.name == label }) {
                let parameter = Declaration(name: p.name, kind: .parameter, type: .unknown, span: p.span, isGlobal: false,
                                            visibility: .within(decl.span))
                index.refer(span, to: .parameterLabel(function: function.name, parameter: parameter))
            }
        }
    }

    /// Records a declaration (only top-level ones of imported files are skipped, with the rest of those files).
    func recordDeclaration(_ name: String, _ span: SourceSpan?, kind: BindingKind, type: LangType, isGlobal: Bool,
                           visibility: Declaration.Visibility, parameters: [String] = [], returnType: LangType = .unknown) {
        guard isRecording, let index else { return }
        index.declare(Declaration(name: name, kind: kind, type: type, span: span, isGlobal: isGlobal, parameters: parameters,
                                  returnType: returnType, visibility: visibility))
    }

    /// Records a file an `import` read (in the source or in the files it imports).
    func recordImport(_ span: SourceSpan, path: String, file: SourceFile) {
        guard let index, inferenceDepth == 0 else { return }
        index.imported(span, path: path, file: file)
    }
}
