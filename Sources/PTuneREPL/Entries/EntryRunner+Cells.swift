extension EntryRunner {
    /// Runs a notebook cell the way its lines would run typed into the REPL, except that consecutive lines of code
    /// are one entry — checked whole, then run — so a check error anywhere in them stops the cell before anything
    /// ran. A line starting with `:` between statements is a command. Diagnostics name the source `name` and give
    /// the cell's own line numbers. The cell stops at the first entry that fails or is interrupted.
    @discardableResult
    public func run(cell text: String, name: String) -> Outcome {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var chunk: [String] = []
        var chunkStart = 0
        func flush() -> Outcome {
            defer { chunk.removeAll() }
            let code = chunk.joined(separator: "\n")
            guard !code.allSatisfy(\.isWhitespace) else { return .done }
            return run(code: code, name: name, firstLine: chunkStart + 1)
        }
        for (i, line) in lines.enumerated() {
            let isCommand = line.drop { $0 == " " || $0 == "\t" }.hasPrefix(":")
            if isCommand && (chunk.isEmpty || !EntryRunner.isUnfinished(chunk.joined(separator: "\n"))) {
                let before = flush()
                guard before == .done else { return before }
                let outcome = command(line)
                guard outcome == .done else { return outcome }
                continue
            }
            if chunk.isEmpty { chunkStart = i }
            chunk.append(line)
        }
        return flush()
    }
}
