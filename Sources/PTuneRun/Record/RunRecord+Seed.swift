import PTuneLang

extension RunRecord {
    /// Where a run's seed came from.
    public enum SeedSource: String, Codable, Sendable {
        /// The command line's `--seed`.
        case option = "--seed"
        /// The last `seed` statement that ran, in the script or in a file it imports.
        case script
        /// The session's default (no `seed` statement ran).
        case `default`
    }

    /// The seed a run's random draws followed, where it came from, and which statement set it.
    public struct Seed: Equatable, Sendable {
        /// The seed.
        public var value: UInt64
        /// Where it came from.
        public var source: SeedSource
        /// The `seed` statement that set it (`common.pt:1:1`), when one did and `--seed` did not win.
        public var statement: String?

        /// A seed from `source`.
        public init(value: UInt64, source: SeedSource, statement: String? = nil) {
            self.value = value
            self.source = source
            self.statement = statement
        }

        /// `--seed` if given, else the value of the last `seed` statement that `ran` (and where it is), else
        /// `default`.
        public init(option: UInt64?, ran: (value: UInt64, at: SourceSpan)?, default defaultSeed: UInt64) {
            if let option {
                self.init(value: option, source: .option)
            } else if let ran {
                self.init(value: ran.value, source: .script, statement: ran.at.description)
            } else {
                self.init(value: defaultSeed, source: .default)
            }
        }
    }
}
