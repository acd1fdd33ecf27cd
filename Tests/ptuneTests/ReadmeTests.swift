import Foundation
import Testing

/// The README shows what works today: its set-up commands exist, every `ptune` run it shows in a ```console block
/// prints exactly what the README says, and every example and script it names is in the repository.
@Suite struct ReadmeTests {
    static var readme: String {
        get throws { try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent("README.md"), encoding: .utf8) }
    }

    /// The ```console blocks: each `$ scripts/ptune ARGS` line with the lines up to the next `$` line as its output.
    static func shownRuns(_ text: String) -> [(arguments: [String], output: String)] {
        var runs: [(arguments: [String], output: String)] = []
        var inConsole = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                inConsole = !inConsole && line == "```console"
                continue
            }
            guard inConsole else { continue }
            if line.hasPrefix("$ ") {
                let words = line.dropFirst(2).split(separator: " ").map(String.init)
                runs.append((Array(words.dropFirst()), ""))
                if words.first != "scripts/ptune" { Issue.record("a console block runs '\(line)', not scripts/ptune") }
            } else if !runs.isEmpty {
                runs[runs.count - 1].output += line + "\n"
            }
        }
        return runs
    }

    @Test func everyRunShownPrintsWhatTheReadmeSays() throws {
        let runs = Self.shownRuns(try Self.readme)
        #expect(runs.count >= 1)
        for run in runs {
            let r = try PtuneProcess.run(run.arguments)
            #expect(r.status == 0, "ptune \(run.arguments.joined(separator: " ")): \(r.stderr)")
            #expect(r.stdout == run.output, "ptune \(run.arguments.joined(separator: " ")) printed\n\(r.stdout)")
        }
    }

    @Test func theSetUpCommandsAndNamedFilesExist() throws {
        let text = try Self.readme
        let root = PtuneProcess.packageRoot.path
        for script in ["scripts/ptune", "scripts/test"] {
            #expect(text.contains(script), "README does not show \(script)")
            #expect(FileManager.default.isExecutableFile(atPath: root + "/" + script), "\(script) is not executable")
        }
        let ci = try String(contentsOfFile: root + "/.ci/run", encoding: .utf8)
        #expect(ci.contains("scripts/test"), ".ci/run does not call the README's test command")
        let named = text.split(whereSeparator: { " `()[]\n".contains($0) })
            .filter { ($0.hasPrefix("examples/") || $0.hasPrefix("scripts/") || $0.hasPrefix("docs/")) && !$0.hasSuffix("/") }
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ".,:;")) }
        #expect(named.count >= 5)
        for path in Set(named) { #expect(FileManager.default.fileExists(atPath: root + "/" + path), "README names \(path), which does not exist") }
    }
}
