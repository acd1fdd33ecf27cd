/// The text of one script (a file, a REPL line, a `-e` snippet) with the name diagnostics print for it.
///
/// The text is kept as UTF-8 bytes, which is what the lexer reads; lines and columns are computed from byte offsets
/// when a diagnostic is rendered (columns count characters, so the caret lines up under non-ASCII text too).
public final class SourceFile: Sendable, CustomStringConvertible {
    /// The name printed in diagnostics (`seed.pt`, `<repl>`, `<-e>`).
    public let name: String
    /// The folder relative paths in this source are resolved against (nil: the working directory).
    public let directory: String?
    /// The UTF-8 bytes of the text.
    public let bytes: [UInt8]
    /// Byte offset of the start of each line.
    let lineStarts: [Int]
    /// The largest script (or imported file) ptune reads: 64 MiB.
    public static let maxBytes = 64 << 20

    /// A source named `name` with text `text`, whose relative paths resolve against `directory`.
    public convenience init(name: String, text: String, directory: String? = nil) {
        self.init(name: name, bytes: Array(text.utf8), directory: directory)
    }

    /// A source from raw UTF-8 bytes (invalid sequences are reported by the lexer, not here). A UTF-8 byte-order mark
    /// at the start, which some editors write, is dropped.
    public init(name: String, bytes: [UInt8], directory: String? = nil) {
        self.name = name
        self.directory = directory
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        var starts = [0]
        for (i, b) in self.bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    /// The text as a string (invalid UTF-8 replaced).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { name }

    /// The 1-based line and column of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let o = Swift.max(0, Swift.min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        // Within one line there is no "\r\n", so ASCII bytes are characters one for one (the common case, and
        // cheap even for the ten-thousandth error in one long line).
        let ascii = bytes[start..<o].allSatisfy { $0 < 0x80 }
        let column = (ascii ? o - start : String(decoding: bytes[start..<o], as: UTF8.self).count) + 1
        return (lo + 1, column)
    }

    /// The text of 1-based line `line`, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        while end > start && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The source text a span covers.
    public func text(of span: SourceSpan) -> String {
        let s = Swift.max(0, Swift.min(span.start, bytes.count)), e = Swift.max(s, Swift.min(span.end, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}

/// A range of bytes in a ``SourceFile``: where a token, expression or statement sits.
public struct SourceSpan: Sendable, CustomStringConvertible {
    /// The file the span is in.
    public let file: SourceFile
    /// Byte offset of the first byte.
    public let start: Int
    /// Byte offset just past the last byte.
    public let end: Int

    /// A span of `file` from `start` up to `end` (byte offsets).
    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = Swift.max(start, end)
    }

    /// The span from the start of `self` to the end of `other`.
    public func through(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(file: file, start: start, end: Swift.max(end, other.end))
    }

    /// 1-based line and column of the start.
    public var location: (line: Int, column: Int) { file.location(of: start) }

    /// `seed.pt:17:16`
    public var description: String {
        let (l, c) = location
        return "\(file.name):\(l):\(c)"
    }

    /// `17:16`, as quoted inside messages ("to close '(' at 3:7").
    public var lineColumn: String {
        let (l, c) = location
        return "\(l):\(c)"
    }
}
