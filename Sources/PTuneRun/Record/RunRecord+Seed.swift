import PTuneLang

extension RunRecord {
    /// Where a run's seed came from.
    public enum SeedSource: String, Codable, Sendable {
        /// The command line's `--seed`.
        case option = "--seed"
        /// The script's last `seed` statement.
        case script
        /// The session's default (the script has no `seed` statement).
        case `default`
    }

    /// The seed a run's random draws followed, and where it came from.
    public struct Seed: Equatable, Sendable {
        /// The seed.
        public var value: UInt64
        /// Where it came from.
        public var source: SeedSource

        /// A seed from `source`.
        public init(value: UInt64, source: SeedSource) {
            self.value = value
            self.source = source
        }

        /// `--seed` if given, else the literal of the last top-level `seed N` statement of the `script` that ran,
        /// else `default`.
        public init(option: UInt64?, script: SourceFile?, default defaultSeed: UInt64) {
            if let option {
                (value, source) = (option, .option)
            } else if let literal = script.flatMap(Seed.lastLiteral) {
                (value, source) = (literal, .script)
            } else {
                (value, source) = (defaultSeed, .default)
            }
        }

        /// The literal of the last top-level `seed N` statement of `file`, if any.
        static func lastLiteral(in file: SourceFile) -> UInt64? {
            var found: UInt64?
            for statement in Parser.parse(file).statements {
                if case let .seed(e, _) = statement, case let .number(v, _) = e, v >= 0, v < 1.8e19, v == v.rounded() {
                    found = UInt64(v)
                }
            }
            return found
        }
    }
}
