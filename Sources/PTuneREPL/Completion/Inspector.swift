import PTuneLang

/// What the code at a cursor is, in words: for a name, how it is declared, its type (with the shape's dim names)
/// and its value; for a builtin, method, keyword or `:` command, what `:help` says. A notebook's inspect request
/// (Shift-Tab) asks it; names declared on earlier lines of the cell are known by their checked types.
public struct Inspector {
    let session: Session

    /// An inspector of `session`'s names.
    public init(session: Session) { self.session = session }

    /// The description of the word at `cursor` (a UTF-8 offset into `text`, a line or a whole cell) — or, when the
    /// cursor is on no word, of the call it is inside (`adam(|`); nil when it names nothing. `detail` above 0
    /// adds a value in full.
    public func inspect(_ text: String, cursor: Int, detail: Int = 0) -> String? {
        let bytes = Array(text.utf8)
        let at = min(max(cursor, 0), bytes.count)
        var start = at, end = at
        while start > 0 && CompletionContext.isIdentifier(bytes[start - 1]) { start -= 1 }
        while end < bytes.count && CompletionContext.isIdentifier(bytes[end]) { end += 1 }
        let lineStart = bytes[..<at].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let scope = session.scope(after: String(decoding: bytes[..<lineStart], as: UTF8.self))
        if start > 0 && bytes[start - 1] == UInt8(ascii: ":") && bytes[lineStart..<(start - 1)].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            return EntryRunner.helpText(for: ":" + String(decoding: bytes[start..<end], as: UTF8.self), in: session.registry)
        }
        guard start < end else {
            // On no word: the innermost call the cursor is inside.
            return CompletionContext(scanning: Array(bytes[..<at])).callee.flatMap { describe($0, in: scope, detail: detail) }
        }
        let word = String(decoding: bytes[start..<end], as: UTF8.self)
        if start > 0 && bytes[start - 1] == UInt8(ascii: "."), let receiver = CompletionContext.chain(endingAt: start - 1, in: bytes) {
            return describe(receiver + "." + word, in: scope, detail: detail)
        }
        return describe(word, in: scope, detail: detail)
    }

    /// A name (`encoder`), a member (`opt.step`, `lm.dim`) or a builtin or keyword.
    func describe(_ name: String, in scope: SessionScope, detail: Int) -> String? {
        if let dot = name.lastIndex(of: ".") {
            let receiver = String(name[..<dot]), member = String(name[name.index(after: dot)...])
            if let kind = (try? scope.type(of: receiver))?.kind, let method = scope.registry.method(kind, member) {
                return HelpTopic.builtins([method]).text(in: scope.registry)
            }
            guard let type = try? scope.type(of: name) else { return nil }
            return "\(name): \(type)"
        }
        if let (kind, type) = scope.declaration(of: name) {
            var text = "\(name): \(kind.rawValue) \(type)"
            if let value = scope.value(of: name), let info = session.bindings().first(where: { $0.name == name }) {
                if let count = info.parameterCount {
                    text += "\n  \(Count.grouped(count)) parameter\(count == 1 ? "" : "s"), \(info.isTrainable ? "trainable" : "frozen")"
                }
                text += "\n  " + (detail > 0 ? value.debugText.replacingOccurrences(of: "\n", with: "\n  ") : info.summary)
            } else if scope.value(of: name) == nil {
                text += "\n  (declared above; not run yet)"
            }
            return text
        }
        return EntryRunner.helpText(for: name, in: scope.registry)
    }
}
