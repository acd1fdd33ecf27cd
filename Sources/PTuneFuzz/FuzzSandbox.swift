import Foundation

/// The setting a harness runs in: an empty scratch folder that scripts may use (and nothing else). The fuzzer
/// executable also points `PTUNE_HOME` at a model cache that does not exist (see ``isolateModelCache()``); the library
/// itself never touches the environment, because the regression tests run it inside the shared test process, where
/// other suites load real models concurrently.
public enum FuzzSandbox {
    /// The scratch folder, created once per process.
    static let folder: String = {
        let path = NSTemporaryDirectory() + "ptune-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Points `PTUNE_HOME` at an empty cache so no harness loads a real model; for the fuzzer process only.
    public static func isolateModelCache() {
        setenv("PTUNE_HOME", folder + "/no-models", 1)
    }
}
