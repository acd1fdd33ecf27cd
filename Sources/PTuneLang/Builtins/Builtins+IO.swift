import Foundation
import PTuneCore

extension BuiltinRegistry {
    /// Reading and writing text files, confined to the folders the session allows.
    static let ioBuiltins: [Builtin] = [
        Builtin("read_text", [.receiver("path", .string)], returns: "string", topic: .io,
                summary: "the contents of a text file (inside the script's folder or the working directory)",
                example: "let prompt = read_text(\"prompt.txt\")", result: .string,
                run: { a, m in
                    let data = try m.files.contents(try a.string(0), limit: m.budget.available)
                    guard let text = String(data: data, encoding: .utf8) else {
                        throw RuntimeFailure(.fileError(path: try a.string(0), "the file is not UTF-8 text"))
                    }
                    return .string(text)
                }),
        Builtin("write_text", [.receiver("path", .string), .required("text", "string")], returns: "none", topic: .io,
                summary: "writes text to a file atomically (inside the allowed folders)",
                example: "write_text(\"result.txt\", str(accuracy(pred, y)))", result: .none,
                run: { a, m in
                    try m.files.write(Data(try a.string(1).utf8), to: try a.string(0))
                    return .none
                }),
        Builtin("log_metric", [.required("name", "string"), .required("value", "number")], returns: "none", topic: .io,
                summary: "keeps a named result, such as a test accuracy, in the run record (`ptune run --record`), where `ptune runs table` shows it as a column; the last value of a name counts, and without a record nothing is kept",
                example: "log_metric(\"test_accuracy\", accuracy(predict(test.x), test.y))", result: .none,
                run: { a, m in
                    let name = try a.string(0), value = try a.number(1)
                    guard let first = name.unicodeScalars.first, first.properties.isAlphabetic,
                          name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_") }) else {
                        throw RuntimeFailure(.badArgument(function: "log_metric", "the name must be letters, digits and underscores, starting with a letter; got \(Value.string(name).description)"))
                    }
                    m.onMetric?(name, value)
                    return .none
                }),
    ]
}
