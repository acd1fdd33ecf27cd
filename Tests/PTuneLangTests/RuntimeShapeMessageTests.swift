import Foundation
import Testing
@testable import PTuneLang

/// A shape that only the data decides is checked when the operation runs; the message then names the operator
/// that failed, in the same words the checker uses before a run.
@Suite struct RuntimeShapeMessageTests {
    @Test(arguments: [("+", "add"), ("-", "subtract"), ("*", "multiply"), ("/", "divide"), ("<", "compare"),
                      ("==", "compare")])
    func operatorsNameThemselves(op: String, verb: String) throws {
        let text = """
            data d = read_csv("data/_points.csv")
            let row = unsqueeze(d.x1, 0)
            print ones(2, 4) \(op) row
            """
        let directory = GoldenRunner.goldenDirectory.path
        let session = Session(options: SessionOptions(fileAccess: FileAccess(only: [directory])), output: .discard)
        do {
            try session.run(SourceFile(name: "shapes.pt", text: text, directory: directory))
            Issue.record("[2, 4] \(op) [1, 3] ran")
        } catch {
            #expect(error.diagnostics.map(\.headline) == ["shapes.pt:3:7: error: cannot \(verb) [2, 4] with [1, 3]: '4' vs '3'"])
        }
    }
}
