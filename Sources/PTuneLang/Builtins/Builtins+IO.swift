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
    ]
}
