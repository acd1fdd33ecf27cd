import Foundation
import Testing

/// The real binary on a real terminal (tmux): readline's history recall and completion, the continuation prompt,
/// Ctrl-C at the prompt and during training, the progress bar, Ctrl-D, and the history file.
@Suite struct TerminalTests {
    @Test(.timeLimit(.minutes(1))) func readlineSession() throws {
        #expect(Tmux.isAvailable, "tmux is needed for this test: scripts/test installs it (apt-get install tmux)")
        guard Tmux.isAvailable else { return }
        let home = try PtuneProcess.temporaryFolder("tty")
        defer { try? FileManager.default.removeItem(at: home) }
        let history = home.appendingPathComponent("history").path
        try "print \"from an earlier session\"\n".write(toFile: history, atomically: true, encoding: .utf8)
        let tty = try Tmux(command: Tmux.quote(PtuneProcess.binary.path),
                           environment: ["PTUNE_HISTORY": history, "HOME": home.path, "NO_COLOR": "1"])
        func enter(_ text: String, thenSee expected: String, count: Int = 1) throws {
            try tty.type(text)
            try tty.press("Enter")
            try tty.waitFor(expected, count: count)
        }
        try tty.waitFor("pt>")
        try enter("let answer = 6 * 7", thenSee: "pt>", count: 2)
        try enter("answer", thenSee: "42")
        // History recall: Up brings back the last line.
        try tty.press("Up")
        try tty.waitFor("pt> answer", count: 2)
        try tty.press("Enter")
        try tty.waitFor("42", count: 2)
        // The earlier session's line is further back.
        try tty.press("Up", "Up", "Up")
        try tty.waitFor("pt> print \"from an earlier session\"")
        try tty.press("C-c")
        try tty.waitFor("^C")
        // Completion of a name, and of a member after '.'.
        try tty.type("ans")
        try tty.press("Tab")
        try tty.waitFor("pt> answer")
        try tty.press("Enter")
        try tty.waitFor("42", count: 3)
        try enter("param w = zeros(4, 2)", thenSee: "pt>", count: 6)
        try tty.type("w.sh")
        try tty.press("Tab")
        try tty.waitFor("pt> w.shape")
        try tty.press("Enter")
        try tty.waitFor("[4, 2]")
        // Several candidates: a second Tab lists them.
        try tty.type("rand")
        try tty.press("Tab", "Tab")
        try tty.waitFor("the candidate list") { $0.contains("randint") && $0.contains("randn") }
        try tty.press("C-c")
        // An unfinished statement continues at '..> '; Ctrl-C drops it.
        try tty.type("let v = [1,")
        try tty.press("Enter")
        try tty.waitFor("..>")
        try tty.press("C-c")
        try tty.waitFor("..> ^C")
        // Ctrl-C during a long train stops it at a step boundary; what was trained stays.
        try enter("data d = dataset(x: ones(64, 2), y: ones(64))", thenSee: "pt>", count: 10)
        try enter("param u = zeros(2)", thenSee: "pt>", count: 11)
        try tty.type("train u on d { loss: mse(batch.x @ u, batch.y); optimizer: sgd(lr: 0.0001); batch: 8; steps: 100000000 }")
        try tty.press("Enter")
        try tty.waitFor("the progress bar") { $0.contains("train u ▕") && $0.contains("steps/s") && $0.contains("loss ") }
        try tty.press("C-c")
        try tty.waitFor("interrupted: training of 'u' stopped at step")
        try enter("item(u[0]) > 0", thenSee: "true")
        // Ctrl-D leaves.
        try tty.press("C-d")
        try tty.waitFor("[exited 0]")
        let kept = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(kept.first == "print \"from an earlier session\"")
        #expect(kept.filter { $0 == "answer" }.count == 1)                  // duplicates collapse
        #expect(kept.contains("let answer = 6 * 7") && kept.contains("w.shape"))
    }
}
