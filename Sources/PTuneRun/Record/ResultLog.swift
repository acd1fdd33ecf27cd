/// The named results a script keeps with `log_metric(name, value)`, as its run record holds them: the last value of
/// each name. A JSON record holds finite numbers only, so a NaN or infinite value keeps no entry (the name is dropped
/// until a finite value comes).
public final class ResultLog {
    /// The results so far.
    public private(set) var values: [String: Double] = [:]

    /// An empty log.
    public init() {}

    /// Keeps `value` under `name`, replacing an earlier one.
    public func keep(_ name: String, _ value: Double) {
        values[name] = value.isFinite ? value : nil
    }

    /// The results for a record: nil when there are none.
    public var kept: [String: Double]? { values.isEmpty ? nil : values }
}
