import Foundation

/// The process-wide setting a harness runs in: an empty scratch folder that scripts may use (and nothing else),
/// and a model cache that does not exist, so no harness loads a real model.
enum FuzzSandbox {
    /// The scratch folder, created once per process.
    static let folder: String = {
        let path = NSTemporaryDirectory() + "ptune-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        setenv("PTUNE_HOME", path + "/no-models", 1)
        return path
    }()
}
