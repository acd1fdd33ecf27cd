import Foundation
import Testing
@testable import PTuneLang

/// Every `.pt` program under `Golden/` prints exactly what its `# expect:` lines say and fails with exactly the
/// diagnostics its `# expect error:` lines say.
@Suite struct GoldenTests {
    @Test(arguments: GoldenRunner.programs())
    func golden(_ relative: String) throws {
        let path = GoldenRunner.goldenDirectory.appendingPathComponent(relative).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = GoldenRunner.expectations(in: text)
        #expect(!expected.output.isEmpty || !expected.errors.isEmpty, "\(relative) has no expectations")
        let got = GoldenRunner.run(file: path)
        #expect(got.output == expected.output, "output of \(relative)")
        #expect(GoldenRunner.matches(got.errors, expected.errors), "errors of \(relative): \(got.errors)")
        if !expected.notes.isEmpty { #expect(got.notes == expected.notes, "notes of \(relative)") }
    }

    @Test func enoughGoldenPrograms() throws {
        let programs = GoldenRunner.programs()
        let errorCases = try programs.filter { p in
            let text = try String(contentsOfFile: GoldenRunner.goldenDirectory.appendingPathComponent(p).path, encoding: .utf8)
            return !GoldenRunner.expectations(in: text).errors.isEmpty
        }
        #expect(programs.count >= 40, "golden programs: \(programs.count)")
        #expect(errorCases.count >= 15, "golden error cases: \(errorCases.count)")
    }
}
