import Foundation
import Testing

/// The editor integration, tested from the outside with real clients (`Tests/Editors`, run by pytest in the interop
/// Python environment): `ptune lsp` driven by pytest-lsp's LSP client, and the Pygments and TextMate highlighters
/// lexing every example and golden program, and the editor set-ups docs/editors.md shows, checked as text and run in
/// headless Neovim and batch Emacs. Skipped, with a message, when `PTUNE_PYTHON` is not set (scripts/test creates the
/// environment and sets it).
@Suite(.serialized) struct EditorIntegrationTests {
    /// The interop environment's interpreter, when `PTUNE_PYTHON` names one.
    static var python: URL? {
        guard let p = ProcessInfo.processInfo.environment["PTUNE_PYTHON"], !p.isEmpty,
              FileManager.default.isExecutableFile(atPath: p) else { return nil }
        return URL(fileURLWithPath: p)
    }

    @Test(.enabled(if: python != nil, "PTUNE_PYTHON is not set: the editor tests need the interop Python environment (scripts/test makes it)"),
          arguments: ["test_lsp_diagnostics.py", "test_lsp_features.py", "test_lsp_protocol.py", "test_highlighting.py", "test_editor_docs.py",
                     "test_editor_sessions.py"])
    func pytestModulePasses(_ module: String) throws {
        let python = try #require(EditorIntegrationTests.python)
        let r = try ProcessRunner.run(python, ["-m", "pytest", "-q", "-rfE", "Tests/Editors/" + module], in: PtuneProcess.packageRoot,
                                      seconds: 900, environment: ["PTUNE_BINARY": PtuneProcess.binary.path, "PYTHONDONTWRITEBYTECODE": "1"])
        #expect(!r.timedOut, "pytest \(module) did not finish in 15 minutes")
        #expect(r.status == 0, "pytest \(module) failed:\n\(r.stdout.suffix(8000))\n\(r.stderr.suffix(2000))")
        #expect(r.stdout.contains(" passed"), "pytest \(module) ran no test:\n\(r.stdout.suffix(2000))")
    }
}
