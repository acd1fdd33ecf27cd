extension Diagnostic {
    /// The most characters of a source line a diagnostic shows.
    static let shownLineLimit = 160

    /// The part of a long source line a diagnostic shows: at most ``shownLineLimit`` characters around the caret,
    /// with `…` where the line goes on, so an error in a 10 MB line prints a few hundred bytes, not twenty million.
    /// `column` is 1-based; returns the shown text, the caret's 1-based column in it and the marker's width.
    static func window(of text: String, column: Int, width: Int) -> (text: String, column: Int, width: Int) {
        let limit = shownLineLimit
        guard text.utf8.count > limit else { return (text, column, width) }
        let chars = Array(text)
        guard chars.count > limit else { return (text, column, width) }
        let caret = Swift.max(0, column - 1)
        let start = Swift.max(0, Swift.min(caret - limit / 3, chars.count - limit))
        let end = Swift.min(chars.count, start + limit)
        var shown = String(chars[start..<end])
        var shownColumn = caret - start + 1
        if start > 0 { shown = "…" + shown; shownColumn += 1 }
        if end < chars.count { shown += "…" }
        let shownWidth = Swift.max(1, Swift.min(width, end - caret))
        return (shown, shownColumn, shownWidth)
    }
}
