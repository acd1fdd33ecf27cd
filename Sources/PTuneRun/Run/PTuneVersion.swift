/// The version of ptune, shown by `ptune --version`, the REPL's greeting, and run records.
public enum PTuneVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
