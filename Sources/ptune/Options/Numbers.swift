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

/// A duration on the command line in seconds: a positive, finite number (`--timeout 1.5`).
struct Seconds: ExpressibleByArgument, Equatable, Sendable {
    /// The duration.
    let value: Double

    /// Parses a positive, finite number of seconds; nil otherwise.
    init?(argument: String) {
        guard let s = Double(argument), s > 0, s.isFinite else { return nil }
        value = s
    }
}
