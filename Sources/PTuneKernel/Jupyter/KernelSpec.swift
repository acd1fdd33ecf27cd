import Foundation
import PTuneCore

/// The `ptune` kernel spec that `ptune jupyter install` writes: a folder `kernels/NAME` holding `kernel.json`,
/// which tells Jupyter to start `ptune jupyter kernel --connection-file {connection_file}` (plus any options
/// given, such as `--allow-path DIR`), to interrupt it with SIGINT, and that it speaks the language `ptune`.
public struct KernelSpec: Equatable, Sendable {
    /// Where Jupyter looks for kernel specs.
    public enum Location: Equatable, Sendable {
        /// The user's Jupyter data folder: `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else
        /// `~/.local/share/jupyter`.
        case user
        /// `PREFIX/share/jupyter` (a virtual environment, a system prefix such as `/usr/local`).
        case prefix(String)
        /// The active Python environment (`$VIRTUAL_ENV`, else `$CONDA_PREFIX`), as `PREFIX/share/jupyter`.
        case sysPrefix
    }

    /// Why the spec could not be installed.
    public struct Problem: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The kernel's folder name (`jupyter kernelspec list` shows it).
    public var name: String
    /// The name notebooks show.
    public var displayName: String
    /// The absolute path of the `ptune` binary Jupyter starts.
    public var executable: String
    /// Options for every session of the kernel (`--allow-path DIR`, `--max-memory 4G`).
    public var options: [String]

    /// A spec starting `executable`.
    public init(name: String = "ptune", displayName: String = "ptune", executable: String, options: [String] = []) {
        self.name = name
        self.displayName = displayName
        self.executable = executable
        self.options = options
    }

    /// The command line Jupyter runs.
    public var argv: [String] { [executable, "jupyter", "kernel", "--connection-file", "{connection_file}"] + options }

    /// `kernel.json`.
    public var json: String {
        let fields: [(String, JSONValue)] = [
            ("argv", .array(argv.map(JSONValue.string))),
            ("display_name", .string(displayName)),
            ("language", .string("ptune")),
            ("interrupt_mode", .string("signal")),
            ("metadata", .object(["debugger": .bool(false)])),
        ]
        var text = "{\n"
        for (i, (key, value)) in fields.enumerated() {
            text += "  " + JSONValue.string(key).serialized() + ": " + value.serialized() + (i < fields.count - 1 ? ",\n" : "\n")
        }
        return text + "}\n"
    }

    /// The `share/jupyter` folder of `location`.
    public static func dataDirectory(_ location: Location, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        switch location {
        case .user:
            if let d = environment["JUPYTER_DATA_DIR"], !d.isEmpty { return d }
            if let x = environment["XDG_DATA_HOME"], !x.isEmpty { return (x as NSString).appendingPathComponent("jupyter") }
            guard let home = environment["HOME"], !home.isEmpty else { throw Problem(description: "HOME is not set; give --prefix DIR") }
            return (home as NSString).appendingPathComponent(".local/share/jupyter")
        case .prefix(let p):
            return (absolute(p) as NSString).appendingPathComponent("share/jupyter")
        case .sysPrefix:
            guard let p = [environment["VIRTUAL_ENV"], environment["CONDA_PREFIX"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
                throw Problem(description: "--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX is not set); give --prefix DIR instead")
            }
            return (p as NSString).appendingPathComponent("share/jupyter")
        }
    }

    /// Writes the spec under `location`; returns its folder.
    @discardableResult
    public func install(_ location: Location, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw Problem(description: "a kernel name may hold letters, digits, '-', '_' and '.' only, got '\(name)'")
        }
        let folder = (try KernelSpec.dataDirectory(location, environment: environment) as NSString).appendingPathComponent("kernels/" + name)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(json, toPath: (folder as NSString).appendingPathComponent("kernel.json"))
        } catch {
            throw Problem(description: "cannot write \(folder)/kernel.json: \(error)")
        }
        return folder
    }

    /// `path` made absolute against the working directory.
    static func absolute(_ path: String) -> String {
        (path as NSString).isAbsolutePath ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }

    /// The running binary's absolute path (what a kernel spec should start).
    public static var currentExecutable: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return absolute(CommandLine.arguments.first ?? "ptune")
    }
}
