import PTuneCore

/// A place in a document as the protocol gives it: a 0-based line and a 0-based character offset in that line,
/// counted in the agreed ``PositionEncoding``.
struct Position: Equatable, Sendable {
    var line: Int
    var character: Int

    /// The position a JSON `Position` gives, or nil when it is not one.
    init?(_ json: JSONValue?) {
        guard let line = json?["line"]?.intValue, let character = json?["character"]?.intValue, line >= 0, character >= 0 else {
            return nil
        }
        self.init(line: line, character: character)
    }

    init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    var json: JSONValue { .object(["line": .int(line), "character": .int(character)]) }
}

/// A range of a document: from `start` up to (not including) `end`.
struct TextRange: Equatable, Sendable {
    var start: Position
    var end: Position

    /// The range a JSON `Range` gives, or nil when it is not one.
    init?(_ json: JSONValue?) {
        guard let start = Position(json?["start"]), let end = Position(json?["end"]) else { return nil }
        self.init(start: start, end: end)
    }

    init(start: Position, end: Position) {
        self.start = start
        self.end = end
    }

    /// The empty range at the start of a document.
    static let origin = TextRange(start: Position(line: 0, character: 0), end: Position(line: 0, character: 0))

    var json: JSONValue { .object(["start": start.json, "end": end.json]) }
}

/// Converts between byte offsets into a text's UTF-8 bytes (what ptune's spans hold) and protocol positions. Lines
/// end at `\n`; a `\r` before it belongs to no line's characters.
struct LineIndex {
    /// The text.
    let bytes: [UInt8]
    /// The byte offset where each line starts.
    let lineStarts: [Int]
    /// What a position's `character` counts.
    let encoding: PositionEncoding

    init(_ bytes: [UInt8], encoding: PositionEncoding) {
        self.bytes = bytes
        self.encoding = encoding
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    /// The byte offset just past the last character of line `line` (before its `\r\n` or `\n`).
    private func lineEnd(_ line: Int) -> Int {
        guard line + 1 < lineStarts.count else { return bytes.count }
        let newline = lineStarts[line + 1] - 1
        return newline > lineStarts[line] && bytes[newline - 1] == 0x0D ? newline - 1 : newline
    }

    /// The byte offset of `p`: a line past the end is the end of the text, a character past the end of its line is
    /// the line's end, and a position inside a character is the start of that character.
    func offset(of p: Position) -> Int {
        guard p.line < lineStarts.count else { return bytes.count }
        var offset = lineStarts[p.line]
        let end = lineEnd(p.line)
        var units = 0
        while offset < end && units < p.character {
            let m = encoding.measure(lead: bytes[offset])
            if units + m.units > p.character { break }
            units += m.units
            offset = Swift.min(end, offset + m.bytes)
        }
        return offset
    }

    /// The position of byte offset `offset` (clamped to the text).
    func position(of offset: Int) -> Position {
        let o = Swift.max(0, Swift.min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        var i = lineStarts[lo]
        var units = 0
        while i < o {
            let m = encoding.measure(lead: bytes[i])
            units += m.units
            i += m.bytes
        }
        return Position(line: lo, character: units)
    }

    /// The range of byte offsets `start..<end`.
    func range(_ start: Int, _ end: Int) -> TextRange {
        TextRange(start: position(of: start), end: position(of: Swift.max(start, end)))
    }
}
