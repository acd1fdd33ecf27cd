import Foundation

/// Paths as the command line gives them, made absolute against the working directory (for child processes and
/// batch scripts that may start elsewhere).
enum ScriptRunnerPaths {
    /// `path` made absolute against the working directory.
    static func absolute(_ path: String) -> String {
        (path as NSString).isAbsolutePath ? path
            : ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// The running `ptune` executable.
    static var executable: String {
        if let real = realpath("/proc/self/exe", nil) {
            defer { free(real) }
            return String(cString: real)
        }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
