import ArgumentParser

/// A count on the command line that must be at least 1 (`--max-depth`, `--max-tensor-elements`).
struct PositiveCount: ExpressibleByArgument, Equatable, Sendable {
    /// The count.
    let value: Int

    /// Parses a whole number ≥ 1; nil otherwise.
    init?(argument: String) {
        guard let n = Int(argument), n >= 1 else { return nil }
        value = n
    }
}
