import ArgumentParser
import PTuneLang

/// `--set NAME=VALUE` parses straight into the language's override: the name a plain identifier, the value a
/// literal (a number, `true`/`false`, a quoted string, a list of numbers) or a bare word.
extension Override: ExpressibleByArgument {
    /// Parses `NAME=VALUE`; nil when the name is not an identifier or the value cannot be read.
    public init?(argument: String) {
        guard let parsed = try? Override(parsing: argument) else { return nil }
        self = parsed
    }
}
