extension Diagnostic {
    /// The most characters of a source line a diagnostic shows.
    static let shownLineLimit = 160

    /// The part of a long source line a diagnostic shows: at most ``shownLineLimit`` characters around the caret,
    /// with `…` where the line goes on, so an error in a 10 MB line prints a few hundred bytes, not twenty million.
    /// `column` is 1-based; returns the shown text, the caret's 1-based column in it and the marker's width.
    static func window(of text: String, column: Int, width: Int) -> (text: String, column: Int, width: Int) {
        let limit = shownLineLimit
        guard text.utf8.count > limit else { return (text, column, width) }
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII (no "\r\n" inside a line): bytes are characters, so slice the bytes, not an array of characters.
            let bytes = Array(text.utf8)
            return window(count: bytes.count, column: column, width: width) { String(decoding: bytes[$0], as: UTF8.self) }
        }
        let chars = Array(text)
        return window(count: chars.count, column: column, width: width) { String(chars[$0]) }
    }

    /// ``window(of:column:width:)`` over a line of `count` characters, `slice` giving the text of a range of them.
    private static func window(count: Int, column: Int, width: Int,
                               slice: (Range<Int>) -> String) -> (text: String, column: Int, width: Int) {
        let limit = shownLineLimit
        guard count > limit else { return (slice(0..<count), column, width) }
        let caret = Swift.max(0, column - 1)
        let start = Swift.max(0, Swift.min(caret - limit / 3, count - limit))
        let end = Swift.min(count, start + limit)
        var shown = slice(start..<end)
        var shownColumn = caret - start + 1
        if start > 0 { shown = "…" + shown; shownColumn += 1 }
        if end < count { shown += "…" }
        let shownWidth = Swift.max(1, Swift.min(width, end - caret))
        return (shown, shownColumn, shownWidth)
    }
}
