import ArgumentParser

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
