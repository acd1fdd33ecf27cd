import Foundation

/// The Python side of the interop tests: the interpreter of the pinned virtual environment that `scripts/test`
/// creates (`PTUNE_PYTHON`), running the scripts in `Fixtures/interop`. Tests that need it are enabled only when it
/// is set, and skip with ``skipMessage`` otherwise.
enum PythonInterop {
    /// The interpreter, when `PTUNE_PYTHON` names an executable file.
    static var interpreter: String? {
        guard let p = ProcessInfo.processInfo.environment["PTUNE_PYTHON"], !p.isEmpty,
              FileManager.default.isExecutableFile(atPath: p) else { return nil }
        return p
    }

    /// Whether interop tests can run.
    static var available: Bool { interpreter != nil }

    static let skipMessage = "interop test skipped: PTUNE_PYTHON is not set (scripts/test creates the Python environment and sets it)"

    /// Why a Python run failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `Fixtures/interop/<script>` with `arguments`, feeding `input` on standard input; returns standard output.
    /// A non-zero exit is a ``Failure`` carrying standard error.
    @discardableResult
    static func run(_ script: String, _ arguments: [String], input: Data? = nil) throws -> Data {
        guard let python = interpreter else { throw Failure(description: skipMessage) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [try Fixture.url("interop/" + script).path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["HF_HUB_OFFLINE"] = "1"
        env["TRANSFORMERS_OFFLINE"] = "1"
        env["TOKENIZERS_PARALLELISM"] = "false"
        process.environment = env
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        try (input ?? Data()).write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        process.standardInput = inHandle
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try? out.close(); try? err.close(); try? inHandle.close()
        let stdout = try Data(contentsOf: outURL)
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
            throw Failure(description: "\(script) exited with \(process.terminationStatus):\n\(stderr.suffix(4000))")
        }
        return stdout
    }

    /// SmolLM2 as a float32 Hugging Face folder, as PEFT and transformers need it: the folder that
    /// `PTUNE_SMOLLM2_HF_FOLDER` names (e.g. the PEFT anchor's converter output), else one written from the GGUF by
    /// `smollm2_hf_folder.py` once per test process (tests share it; it is removed when the process exits).
    static func smollm2Folder() throws -> String {
        if let given = ProcessInfo.processInfo.environment["PTUNE_SMOLLM2_HF_FOLDER"], !given.isEmpty { return given }
        return try writtenFolder.get()
    }

    /// Where the process's own SmolLM2 folder goes.
    private static let writtenFolderPath = FileManager.default.temporaryDirectory
        .appendingPathComponent("ptune-smollm2-hf-\(ProcessInfo.processInfo.processIdentifier)").path

    /// The process's own SmolLM2 folder, written on first use.
    private static let writtenFolder: Result<String, Failure> = {
        do {
            try FileManager.default.createDirectory(atPath: writtenFolderPath, withIntermediateDirectories: true)
            atexit { try? FileManager.default.removeItem(atPath: PythonInterop.writtenFolderPath) }
            try run("smollm2_hf_folder.py", [ModelFiles.smollm2, writtenFolderPath])
            return .success(writtenFolderPath)
        } catch {
            return .failure(Failure(description: "writing the SmolLM2 folder: \(error)"))
        }
    }()

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder(_ label: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// Little-endian float32 values of a file.
    static func floats(_ url: URL) throws -> [Float] {
        let d = try Data(contentsOf: url)
        return d.withUnsafeBytes { raw in
            (0..<(d.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
