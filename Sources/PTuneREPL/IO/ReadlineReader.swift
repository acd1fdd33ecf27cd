import CReadline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Line editing on a terminal with GNU readline: history recall, tab completion, Ctrl-C to abandon a line.
///
/// Readline's callback interface is used so the reader can wait on the keyboard and on Ctrl-C at once (`poll` on
/// standard input and the interrupt monitor's wake-up pipe). Every readline call in ptune is in this file.
public final class ReadlineReader: LineReader {
    /// Feeds readline's completion callback; readline's callback has no context argument, so the box is reached
    /// through `shim.h`'s completion-context pointer while this reader lives.
    private final class CompletionBox {
        let completer: Completer?
        init(_ completer: Completer?) { self.completer = completer }
    }

    private let box: CompletionBox
    private var history: HistoryStore
    private let interrupts: InterruptMonitor?

    /// A reader completing with `completer`, recalling from `history`, and watching `interrupts` for Ctrl-C.
    public init(completer: Completer?, history: HistoryStore, interrupts: InterruptMonitor?) {
        self.box = CompletionBox(completer)
        self.history = history
        self.interrupts = interrupts
        ptune_rl_set_name("ptune")
        ptune_rl_set_catch_signals(0)
        ptune_rl_set_word_break_characters(" \t\n\"'`@$><=;|&{(,)}[]+-*/%.:!#")
        ptune_rl_set_completion_query_items(200)
        ptune_rl_set_completion_context(Unmanaged.passUnretained(box).toOpaque())
        ptune_rl_set_completion_function(ReadlineReader.completionCallback)
        ptune_rl_clear_history()
        for entry in history.entries { ptune_rl_add_history(entry) }
    }

    deinit { ptune_rl_set_completion_context(nil) }

    /// Reads one line with editing; `.interrupted` on Ctrl-C, `.endOfInput` on Ctrl-D at an empty line.
    public func readLine(prompt: String) -> LineInput {
        interrupts?.reset()
        ptune_rl_begin_line(prompt)
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
        if let wake = interrupts?.wakeDescriptor, wake >= 0 { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        while ptune_rl_line_state() == Int32(PTUNE_LINE_PENDING) {
            for i in fds.indices { fds[i].revents = 0 }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                ptune_rl_abandon_line()
                return .endOfInput
            }
            if fds.count > 1 && fds[1].revents != 0 || (interrupts?.isInterrupted ?? false) {
                ptune_rl_abandon_line()
                interrupts?.reset()
                return .interrupted
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { ptune_rl_read_char() }
        }
        guard ptune_rl_line_state() == Int32(PTUNE_LINE_READY), let raw = ptune_rl_take_line() else {
            FileHandle.standardOutput.write(Data("\n".utf8))
            return .endOfInput
        }
        let line = String(cString: raw)
        free(raw)
        return .line(line)
    }

    /// Adds `line` to readline's recall list and to the history file (duplicates collapse to the newest).
    public func remember(_ line: String) {
        let before = history.entries
        guard history.add(line) else { return }
        if before.last == line { return }
        if before.contains(line) {
            ptune_rl_clear_history()
            for entry in history.entries { ptune_rl_add_history(entry) }
        } else {
            ptune_rl_add_history(line)
        }
    }

    /// Readline's `rl_attempted_completion_function`: asks the completer, then converts its candidates (which
    /// replace the text from the completer's start) into readline's form (which replace readline's word `text`).
    private static let completionCallback: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { _, start, end in
        ptune_rl_set_completion_over(1)
        guard let context = ptune_rl_completion_context() else { return nil }
        let box = Unmanaged<CompletionBox>.fromOpaque(context).takeUnretainedValue()
        guard let completer = box.completer else { return nil }
        let line = Array(String(cString: ptune_rl_line_buffer()).utf8)
        let cursor = min(Int(ptune_rl_point()), line.count)
        let result = completer.complete(line: String(decoding: line.prefix(cursor), as: UTF8.self))
        let readlineStart = min(max(0, Int(start)), cursor)
        var replacements: [[UInt8]] = []
        for candidate in result.candidates {
            let bytes = Array(candidate.utf8)
            if result.start >= readlineStart {
                replacements.append(Array(line[readlineStart..<min(result.start, line.count)]) + bytes)
            } else {
                let skip = readlineStart - result.start
                if bytes.count >= skip { replacements.append(Array(bytes[skip...])) }
            }
        }
        _ = end
        guard !replacements.isEmpty else { return nil }
        if let append = result.appendCharacter, let ascii = append.asciiValue {
            ptune_rl_set_completion_suppress_append(0)
            ptune_rl_set_completion_append_character(Int32(ascii))
        } else {
            ptune_rl_set_completion_suppress_append(1)
        }
        // readline's form: the common prefix first, then every match, then NULL; all malloc'd (readline frees them).
        var common = replacements[0]
        for r in replacements.dropFirst() {
            var n = 0
            while n < common.count && n < r.count && common[n] == r[n] { n += 1 }
            common = Array(common.prefix(n))
        }
        let entries = replacements.count == 1 ? replacements : [common] + replacements
        guard let array = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (entries.count + 1))?
            .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: entries.count + 1) else { return nil }
        for (i, entry) in entries.enumerated() { array[i] = strdup(String(decoding: entry, as: UTF8.self)) }
        array[entries.count] = nil
        return array
    }
}
