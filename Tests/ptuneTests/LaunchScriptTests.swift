import Foundation
import Testing

/// `scripts/ptune` in a copy of the repository's layout whose `swift` is a stand-in that records each build and
/// writes a small `ptune`: it starts the binary without building when nothing changed, builds again when a source
/// changes, keeps a successful build's output off the terminal, and shows a failed build's output.
@Suite struct LaunchScriptTests {
    /// A scratch repository with `scripts/ptune`, its set-up library, a manifest, one source, and a fake `swift`.
    struct Sandbox {
        let root: URL
        var builds: URL { root.appendingPathComponent("builds.log") }

        init() throws {
            root = try PtuneProcess.temporaryFolder("launch")
            let fm = FileManager.default
            for folder in ["scripts/lib", "Sources/ptune", "bin"] {
                try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            for script in ["scripts/ptune", "scripts/install-jupyter", "scripts/lib/setup.sh"] {
                try fm.copyItem(at: PtuneProcess.packageRoot.appendingPathComponent(script), to: root.appendingPathComponent(script))
            }
            try "// swift-tools-version:6.0\n".write(to: root.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
            try write("print(1)\n", to: "Sources/ptune/main.swift")
            // The stand-in compiler: notes the call, prints build chatter, fails when FAIL_BUILD is set, and otherwise
            // writes a `ptune` that echoes its arguments.
            let swift = root.appendingPathComponent("bin/swift")
            try """
                #!/usr/bin/env bash
                echo "$*" >> "\(builds.path)"
                echo "[1/3] Compiling ptune main.swift"
                if [[ -n "${FAIL_BUILD:-}" ]]; then echo "main.swift:1:1: error: boom" >&2; exit 1; fi
                mkdir -p "\(root.path)/.build/release"
                printf '#!/usr/bin/env bash\\necho "ran $*"\\n' > "\(root.path)/.build/release/ptune"
                chmod +x "\(root.path)/.build/release/ptune"
                echo "Build complete!"
                """.write(to: swift, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: swift.path)
        }

        func write(_ text: String, to path: String) throws {
            try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }

        /// How many builds ran so far.
        var buildCount: Int {
            ((try? String(contentsOf: builds, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        /// Runs `scripts/ptune arguments…` (or another script) with the fake `swift` first on the PATH.
        func launch(_ arguments: [String], failBuild: Bool = false, script: String = "scripts/ptune") throws -> ProcessRunner.Outcome {
            let path = root.appendingPathComponent("bin").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            var environment = ["PATH": path]
            if failBuild { environment["FAIL_BUILD"] = "1" }
            return try ProcessRunner.run(root.appendingPathComponent(script), arguments, in: root,
                                         environment: environment)
        }
    }

    @Test func startsAtOnceWhenTheBinaryIsCurrentAndBuildsQuietlyOtherwise() throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.root) }

        let first = try box.launch(["a.pt", "--seed", "3"])
        #expect(first.status == 0 && first.stdout == "ran a.pt --seed 3\n")
        #expect(first.stderr.isEmpty, "a successful build printed: \(first.stderr)")
        #expect(box.buildCount == 1)

        let second = try box.launch(["b.pt"])
        #expect(second.status == 0 && second.stdout == "ran b.pt\n" && second.stderr.isEmpty)
        #expect(box.buildCount == 1, "the binary was current, yet it built again")

        // A changed source, a new source and a removed source each make the next start build again.
        try box.write("print(2)\n", to: "Sources/ptune/main.swift")
        _ = try box.launch([])
        #expect(box.buildCount == 2)
        try box.write("let x = 1\n", to: "Sources/ptune/Extra.swift")
        _ = try box.launch([])
        #expect(box.buildCount == 3)
        try FileManager.default.removeItem(at: box.root.appendingPathComponent("Sources/ptune/Extra.swift"))
        _ = try box.launch([])
        #expect(box.buildCount == 4)
        _ = try box.launch([])
        #expect(box.buildCount == 4)
    }

    @Test func aFailedBuildShowsItsOutputAndRunsNothing() throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.root) }
        let failed = try box.launch(["a.pt"], failBuild: true)
        #expect(failed.status == 1)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderr.contains("main.swift:1:1: error: boom") && failed.stderr.contains("Compiling"))
        // The next start (the error fixed) builds, since no good build was recorded.
        let fixed = try box.launch(["a.pt"])
        #expect(fixed.stdout == "ran a.pt\n")
        #expect(box.buildCount == 2)
    }

    @Test func installJupyterBuildsAndRunsTheInstallSubcommand() throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.root) }
        let installed = try box.launch(["--sys-prefix"], script: "scripts/install-jupyter")
        #expect(installed.status == 0 && installed.stdout == "ran jupyter install --sys-prefix\n", "\(installed.stderr)")
        #expect(box.buildCount == 1)
    }
}
