import PTuneCore

/// What an editor needs to know about one source, from one parse and one check: the errors `ptune check` reports
/// for it, its statements and tokens, what each name in it refers to, and which names are in scope where.
///
/// Nothing runs: the source is parsed and checked as `ptune check` does, in a fresh session with the given options
/// (file access for imports, `--set` overrides), with the checker recording into a ``SourceIndex``.
public final class SourceAnalysis {
    /// The source as given.
    public let file: SourceFile
    /// Every error `ptune check` reports for the source: its syntax errors, or when it parses, its check errors
    /// (and the `--set` overrides that no declaration takes), in the order `ptune check` prints them.
    public let diagnostics: [Diagnostic]
    /// The statements that parsed. When the source ends inside an open `{`, `(` or `[` (as it does while a block
    /// is being typed), these come from a copy with the delimiters closed, so the enclosing names stay known.
    public let statements: [Stmt]
    /// The tokens of ``statements``' source.
    public let tokens: [Token]
    /// The source the statements and the index speak of: ``file``, or its copy with open delimiters closed.
    let checkedFile: SourceFile
    let index: SourceIndex
    /// The top-level names after each top-level statement, by the offset where the statement ends.
    let tables: [(end: Int, table: GlobalTable)]
    /// Each `{ … }` of the source as a byte range (an unclosed one runs to the end).
    let blocks: [Range<Int>]
    let registry: BuiltinRegistry
    let access: FileAccess

    /// Parses and checks `file` (its folder joins the folders it may import from, as for `ptune check FILE`).
    public init(_ file: SourceFile, options: SessionOptions = SessionOptions()) {
        self.file = file
        registry = .standard
        var access = options.fileAccess
        if let folder = file.directory { access.allow(folder) }
        self.access = access
        let parsed = Parser.parse(file)
        let checkedFile = SourceAnalysis.closingOpenDelimiters(file)
        self.checkedFile = checkedFile
        statements = checkedFile === file ? parsed.statements : Parser.parse(checkedFile).statements
        tokens = Lexer.tokenize(checkedFile).tokens
        blocks = SourceAnalysis.blocks(tokens, end: checkedFile.bytes.count)
        index = SourceIndex()
        var checker = Checker(globals: GlobalTable(), dtype: .float32, overrides: options.overrides, registry: registry, access: access)
        checker.index = index
        let checked = checker.checkProgram(statements)
        tables = checked.map { ($0.span.end, $0.tableAfter) }
        // `ptune check` stops at syntax errors; only a source that parses is reported on by the checker.
        diagnostics = parsed.diagnostics.isEmpty
            ? checker.diagnostics + Session.unusedOverrides(options.overrides, used: checker.usedOverrides)
            : parsed.diagnostics
    }

    /// `file`, or when it ends inside open delimiters, a copy with a line break and their closers appended.
    static func closingOpenDelimiters(_ file: SourceFile) -> SourceFile {
        let open = Lexer.tokenize(file).unclosed
        guard !open.isEmpty else { return file }
        var bytes = file.bytes + [0x0A]
        for t in open.reversed() {
            switch t.kind {
            case .punctuation(.leftParen): bytes.append(UInt8(ascii: ")"))
            case .punctuation(.leftBracket): bytes.append(UInt8(ascii: "]"))
            case .punctuation(.leftBrace): bytes += [0x0A, UInt8(ascii: "}")]
            case .identifier, .number, .string, .keyword, .punctuation, .newline, .eof, .invalid: break
            }
        }
        return SourceFile(name: file.name, bytes: bytes + [0x0A], directory: file.directory)
    }

    /// The byte ranges of matching braces, outermost first.
    static func blocks(_ tokens: [Token], end: Int) -> [Range<Int>] {
        var open: [Int] = []
        var out: [Range<Int>] = []
        for t in tokens {
            if t.isPunctuation(.leftBrace) {
                open.append(t.span.start)
            } else if t.isPunctuation(.rightBrace), let start = open.popLast() {
                out.append(start..<t.span.end)
            }
        }
        out += open.map { $0..<(end + 1) }
        return out.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// Whether `source` is this analysis's source (the span of a name in it, not in an imported file).
    public func isOwnSource(_ source: SourceFile) -> Bool { source === file || source === checkedFile }

    // MARK: - Imports

    /// The canonical paths of the files the source imports, directly or through others, in the order they were
    /// read.
    public var importedPaths: [String] { index.imports.map(\.path) }

    /// The canonical path of an imported source (where a declaration in it lives), or nil for this source.
    public func path(of source: SourceFile) -> String? {
        index.imports.first { $0.file === source }?.path
    }

    /// The `import` statement of this source through which `source` was read, directly or by a file it imports.
    public func importSite(of source: SourceFile) -> SourceSpan? {
        var current = source
        var seen = 0
        while let step = index.imports.first(where: { $0.file === current }), seen <= index.imports.count {
            if isOwnSource(step.span.file) { return step.span }
            current = step.span.file
            seen += 1
        }
        return nil
    }

    // MARK: - What is where

    /// What the name, member, label or `import` at byte `offset` refers to: the smallest recorded span that
    /// contains the offset (or ends right at it, for a cursor just after a word).
    public func occurrence(at offset: Int) -> Occurrence? {
        var inside: Occurrence?, touching: Occurrence?
        for o in index.occurrences where isOwnSource(o.span.file) {
            let s = o.span
            let width = s.end - s.start
            if s.start <= offset && offset < s.end {
                if inside.map({ width < $0.span.end - $0.span.start }) ?? true { inside = o }
            } else if offset == s.end && width > 0 {
                if touching.map({ width < $0.span.end - $0.span.start }) ?? true { touching = o }
            }
        }
        return inside ?? touching
    }

    /// The token at byte `offset` (or the one ending right at it), if any.
    public func token(at offset: Int) -> Token? {
        var lo = 0, hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid].span.end <= offset { lo = mid + 1 } else { hi = mid }
        }
        if lo < tokens.count, tokens[lo].span.start <= offset, tokens[lo].kind != .newline, tokens[lo].kind != .eof {
            return tokens[lo]
        }
        if lo > 0, tokens[lo - 1].span.end == offset, tokens[lo - 1].kind != .newline { return tokens[lo - 1] }
        return nil
    }

    /// The declaration recorded for the name declared at `span` (in this source).
    func declaration(declaredAt span: SourceSpan) -> Declaration? {
        index.declarations.first { d in d.span.map { $0.start == span.start && isOwnSource($0.file) } ?? false }
    }
}
