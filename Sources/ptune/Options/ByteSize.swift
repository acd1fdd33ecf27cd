import ArgumentParser

/// A size in bytes on the command line: a whole number with an optional `K`, `M`, `G` or `T` suffix (powers of
/// 1024; a trailing `B` and any case are fine): `512M`, `8G`, `65536`. Zero and sizes past `Int.max` are refused.
struct ByteSize: ExpressibleByArgument, Equatable, Sendable {
    /// The size in bytes.
    let bytes: Int

    /// Parses `512M`; nil when malformed, zero or too large.
    init?(argument: String) {
        var digits = argument.trimmingCharacters(in: .whitespaces).uppercased()
        if digits.hasSuffix("B") { digits.removeLast() }
        var shift = 0
        if let unit = digits.last, let power = ByteSize.units.firstIndex(of: unit) {
            shift = 10 * (power + 1)
            digits.removeLast()
        }
        guard let n = Int(digits), n > 0, n <= (Int.max >> shift) else { return nil }
        bytes = n << shift
    }

    /// The suffixes, in increasing powers of 1024.
    private static let units: [Character] = ["K", "M", "G", "T"]
}
