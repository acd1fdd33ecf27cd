import Foundation

/// Reads lines without any terminal handling: from standard input when it is a pipe or file, or from a fixed list
/// of lines (scripted sessions in tests). With `echo`, the prompt and the line are written to `transcript`, so a
/// scripted session's output reads like the terminal would have shown it.
public final class PlainLineReader: LineReader {
    /// Where lines come from.
    private enum Source {
        case standardInput
        case lines([String])
    }

    private var source: Source
    private var next = 0
    private let echo: Bool
    private let transcript: (String) -> Void
    /// A line to stand for Ctrl-C in scripted input (`interruptMarker`), or nil.
    private let interruptMarker: String?

    /// A reader over standard input; prompts are not shown (the input is not a person at a terminal).
    public static func standardInput() -> PlainLineReader {
        PlainLineReader(source: .standardInput, echo: false, interruptMarker: nil, transcript: { _ in })
    }

    /// A reader over `lines`, optionally echoing `prompt + line` to `transcript`. A line equal to
    /// `interruptMarker` reads as a Ctrl-C.
    public convenience init(lines: [String], echo: Bool = false, interruptMarker: String? = nil,
                            transcript: @escaping (String) -> Void = { _ in }) {
        self.init(source: .lines(lines), echo: echo, interruptMarker: interruptMarker, transcript: transcript)
    }

    /// A reader over the lines of `text`.
    public convenience init(text: String, echo: Bool = false, transcript: @escaping (String) -> Void = { _ in }) {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        self.init(lines: lines, echo: echo, transcript: transcript)
    }

    private init(source: Source, echo: Bool, interruptMarker: String?, transcript: @escaping (String) -> Void) {
        self.source = source
        self.echo = echo
        self.interruptMarker = interruptMarker
        self.transcript = transcript
    }

    /// The next line, or `.endOfInput` when there are no more.
    public func readLine(prompt: String) -> LineInput {
        let line: String
        switch source {
        case .standardInput:
            guard let l = Swift.readLine(strippingNewline: true) else { return .endOfInput }
            line = l.hasSuffix("\r") ? String(l.dropLast()) : l
        case .lines(let lines):
            guard next < lines.count else { return .endOfInput }
            line = lines[next]
            next += 1
        }
        if let interruptMarker, line == interruptMarker {
            if echo { transcript(prompt + "^C\n") }
            return .interrupted
        }
        if echo { transcript(prompt + line + "\n") }
        return .line(line)
    }
}
