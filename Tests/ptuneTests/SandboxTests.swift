import Foundation
import PTuneLang
import Testing

/// A shared recipe cannot reach outside its folder: the real `ptune` binary runs scripts that try every escape —
/// `..`, absolute paths, symlinks to files and folders outside, imports, writes — and each is refused with an
/// error naming the path, until `--allow-path` widens access. The language has no way to run a process or open a
/// socket.
@Suite struct SandboxTests {
    /// `root/recipe/` holds the script, `data.txt`, `sub/` and symlinks out; `root/outside/` holds `secret.txt`;
    /// the run's working directory is `root/work/`.
    struct Layout {
        let root: URL
        var recipe: URL { root.appendingPathComponent("recipe") }
        var outside: URL { root.appendingPathComponent("outside") }
        var work: URL { root.appendingPathComponent("work") }
    }

    static func layout() throws -> Layout {
        let l = Layout(root: try PtuneProcess.temporaryFolder("sandbox"))
        let fm = FileManager.default
        for d in [l.recipe.appendingPathComponent("sub"), l.outside, l.work] {
            try fm.createDirectory(at: d, withIntermediateDirectories: true)
        }
        try Data("inside".utf8).write(to: l.recipe.appendingPathComponent("data.txt"))
        try Data("secret".utf8).write(to: l.outside.appendingPathComponent("secret.txt"))
        try Data("work".utf8).write(to: l.work.appendingPathComponent("here.txt"))
        try Data("print \"imported secret\"\n".utf8).write(to: l.outside.appendingPathComponent("evil.pt"))
        try fm.createSymbolicLink(atPath: l.recipe.appendingPathComponent("link.txt").path,
                                  withDestinationPath: l.outside.appendingPathComponent("secret.txt").path)
        try fm.createSymbolicLink(atPath: l.recipe.appendingPathComponent("linkdir").path, withDestinationPath: l.outside.path)
        try fm.createSymbolicLink(atPath: l.recipe.appendingPathComponent("relative_link.txt").path,
                                  withDestinationPath: "../outside/secret.txt")
        return l
    }

    /// Runs `code` as `recipe/script.pt` from the working folder.
    static func run(_ code: String, in l: Layout, options: [String] = []) throws -> ProcessRunner.Outcome {
        try Data(code.utf8).write(to: l.recipe.appendingPathComponent("script.pt"))
        return try ProcessRunner.run(PtuneProcess.binary, options + [l.recipe.appendingPathComponent("script.pt").path], in: l.work)
    }

    /// Statements that try to leave the sandbox, and the path each error must name (`OUTSIDE` is the absolute
    /// path of the outside folder).
    static let escapes: [(String, String)] = [
        ("let r = read_text(\"../outside/secret.txt\")", "../outside/secret.txt"),
        ("let r = read_text(\"sub/../../outside/secret.txt\")", "sub/../../outside/secret.txt"),
        ("let r = read_text(\"OUTSIDE/secret.txt\")", "OUTSIDE/secret.txt"),
        ("let r = read_text(\"/etc/passwd\")", "/etc/passwd"),
        ("let r = read_text(\"link.txt\")", "link.txt"),
        ("let r = read_text(\"relative_link.txt\")", "relative_link.txt"),
        ("let r = read_text(\"linkdir/secret.txt\")", "linkdir/secret.txt"),
        ("data r = read_csv(\"../outside/secret.txt\")", "../outside/secret.txt"),
        ("data r = read_jsonl(\"linkdir/secret.txt\")", "linkdir/secret.txt"),
        ("let r = load_tensors(\"/etc/passwd\")", "/etc/passwd"),
        ("write_text(\"../outside/new.txt\", \"x\")", "../outside/new.txt"),
        ("write_text(\"linkdir/new.txt\", \"x\")", "linkdir/new.txt"),
        ("write_text(\"OUTSIDE/new.txt\", \"x\")", "OUTSIDE/new.txt"),
        ("write_text(\"/tmp/ptune-sandbox-escape.txt\", \"x\")", "/tmp/ptune-sandbox-escape.txt"),
        ("param w = zeros(2)\nsave w to \"../outside/new.txt\"", "../outside/new.txt"),
        ("param w = zeros(2)\nload w from \"linkdir/secret.txt\"", "linkdir/secret.txt"),
        ("encoder pe = mlp(2, 3)\nexport_peft(pe, \"../outside/adapter\")", "../outside/adapter"),
        ("param w = zeros(2)\ndata d = dataset(x: ones(4, 2))\nlet run = train w on d {\n loss: sum(batch.x * w)\n optimizer: sgd(lr: 0.1)\n steps: 2\n log_file: \"linkdir/new.txt\"\n}",
         "linkdir/new.txt"),
        ("data d = dataset(x: ones(4, 2), y: randint(0, 2, [4]))\nmodel head = linear(2 -> 2) frozen\nencoder pe = mlp(2, 2)\ntrain pe on d {\n loss: cross_entropy(head(mean(prompt(pe, unsqueeze(batch.x, 1)), axis: 1)), batch.y)\n optimizer: sgd(lr: 0.1)\n steps: 2\n checkpoint: \"../outside/new.txt\"\n}",
         "../outside/new.txt"),
        ("param w = zeros(2)\ndata d = dataset(x: ones(4, 2))\nlet run = train w on d {\n loss: sum(batch.x * w)\n optimizer: sgd(lr: 0.1)\n steps: 2\n}\nplot(run, file: \"OUTSIDE/new.svg\")",
         "OUTSIDE/new.svg"),
        // Writes through a symlink inside the folder that leads to a file or a folder outside.
        ("write_text(\"link.txt\", \"x\")", "link.txt"),
        ("param w = zeros(2)\nsave w to \"link.txt\"", "link.txt"),
        ("encoder pe = mlp(2, 3)\nsave pe to \"relative_link.txt\"", "relative_link.txt"),
        ("encoder pe = mlp(2, 3)\nexport_peft(pe, \"linkdir\")", "linkdir"),
        ("encoder pe = mlp(2, 3)\nexport_peft(pe, \"linkdir/adapter\")", "linkdir/adapter"),
        ("encoder pe = import_peft(\"linkdir\")", "linkdir/adapter_config.json"),
        ("param w = zeros(2)\ndata d = dataset(x: ones(4, 2))\nlet run = train w on d {\n loss: sum(batch.x * w)\n optimizer: sgd(lr: 0.1)\n steps: 2\n log_file: \"link.txt\"\n}",
         "link.txt"),
        ("data d = dataset(x: ones(4, 2), y: randint(0, 2, [4]))\nmodel head = linear(2 -> 2) frozen\nencoder pe = mlp(2, 2)\ntrain pe on d {\n loss: cross_entropy(head(mean(prompt(pe, unsqueeze(batch.x, 1)), axis: 1)), batch.y)\n optimizer: sgd(lr: 0.1)\n steps: 2\n checkpoint: \"link.txt\"\n}",
         "link.txt"),
    ]

    @Test(arguments: 0..<SandboxTests.escapes.count)
    func escapeIsRefusedNamingThePath(_ index: Int) throws {
        let l = try SandboxTests.layout()
        defer { try? FileManager.default.removeItem(at: l.root) }
        let (statement, path) = SandboxTests.escapes[index]
        let outside = l.outside.path
        let code = "seed 1\n" + statement.replacingOccurrences(of: "OUTSIDE", with: outside) + "\nprint \"escaped\"\n"
        let shown = NSRegularExpression.escapedPattern(for: path.replacingOccurrences(of: "OUTSIDE", with: outside))
        let r = try SandboxTests.run(code, in: l)
        #expect(r.status != 0 && r.signal == nil, "\(statement): status \(r.status)\n\(r.stderr)")
        let located = try NSRegularExpression(pattern: "script\\.pt:[0-9]+:[0-9]+: error: access to '\(shown)' is not allowed")
        #expect(located.firstMatch(in: r.stderr, range: NSRange(r.stderr.startIndex..., in: r.stderr)) != nil, "\(statement):\n\(r.stderr)")
        #expect(!r.stdout.contains("escaped"))
        let left = try FileManager.default.contentsOfDirectory(atPath: l.outside.path).sorted()
        #expect(left == ["evil.pt", "secret.txt"], "something was written outside: \(left)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/ptune-sandbox-escape.txt"))
    }

    /// Files a folder holds are checked one by one: a PEFT adapter folder inside whose config or weights link
    /// outside is refused naming that file, and an import inside an imported file obeys the same check.
    @Test func filesInsideFoldersAreChecked() throws {
        let l = try SandboxTests.layout()
        defer { try? FileManager.default.removeItem(at: l.root) }
        let fm = FileManager.default
        // A real adapter outside, and two adapter folders inside whose files link to it.
        let made = try SandboxTests.run("encoder pe = mlp(2, 3)\nexport_peft(pe, \"adapter\")\n", in: l)
        #expect(made.status == 0, "\(made.stderr)")
        try fm.moveItem(at: l.recipe.appendingPathComponent("adapter"), to: l.outside.appendingPathComponent("adapter"))
        for file in ["adapter_config.json", "adapter_model.safetensors"] {
            let dir = l.recipe.appendingPathComponent("linked_" + file)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            for f in ["adapter_config.json", "adapter_model.safetensors"] {
                let target = l.outside.appendingPathComponent("adapter/" + f)
                if f == file { try fm.createSymbolicLink(at: dir.appendingPathComponent(f), withDestinationURL: target) } else { try fm.copyItem(at: target, to: dir.appendingPathComponent(f)) }
            }
            let r = try SandboxTests.run("encoder pe = import_peft(\"linked_\(file)\")\nprint \"escaped\"\n", in: l)
            #expect(r.status == 1 && r.stderr.contains("script.pt:1:14: error: access to 'linked_\(file)/\(file)' is not allowed"), "\(file): \(r.stderr)")
            #expect(!r.stdout.contains("escaped"))
        }
        // An import inside an imported file.
        try Data("import \"../linkdir/evil.pt\"\n".utf8).write(to: l.recipe.appendingPathComponent("sub/inner.pt"))
        let chained = try SandboxTests.run("import \"sub/inner.pt\"\n", in: l)
        #expect(chained.status == 65 && chained.stderr.contains("inner.pt:1:1: error: access to '../linkdir/evil.pt' is not allowed"), "\(chained.stderr)")
        #expect(!chained.stdout.contains("imported secret"))
        // A symlink inside that leads nowhere (to a file outside that does not exist yet) is replaced by the file
        // written, never followed: nothing appears outside.
        try fm.createSymbolicLink(atPath: l.recipe.appendingPathComponent("dangling.txt").path, withDestinationPath: "../outside/new.txt")
        let dangling = try SandboxTests.run("write_text(\"dangling.txt\", \"x\")\n", in: l)
        #expect(dangling.status == 0, "\(dangling.stderr)")
        #expect(!fm.fileExists(atPath: l.outside.appendingPathComponent("new.txt").path))
        #expect((try? fm.destinationOfSymbolicLink(atPath: l.recipe.appendingPathComponent("dangling.txt").path)) == nil)
        // Exporting over an adapter folder whose files link outside replaces the links, not what they lead to.
        let before = try Data(contentsOf: l.outside.appendingPathComponent("adapter/adapter_config.json"))
        let over = try SandboxTests.run("encoder pe = mlp(5, 3)\nexport_peft(pe, \"linked_adapter_config.json\")\n", in: l)
        #expect(over.status == 0, "\(over.stderr)")
        #expect(try Data(contentsOf: l.outside.appendingPathComponent("adapter/adapter_config.json")) == before)
        let written = try String(contentsOf: l.recipe.appendingPathComponent("linked_adapter_config.json/adapter_config.json"), encoding: .utf8)
        #expect(written.contains("\"num_virtual_tokens\" : 5") || written.contains("\"num_virtual_tokens\": 5"), "\(written)")
    }

    @Test func importFromOutsideIsRefusedBeforeAnythingRuns() throws {
        let l = try SandboxTests.layout()
        defer { try? FileManager.default.removeItem(at: l.root) }
        for target in ["../outside/evil.pt", l.outside.path + "/evil.pt", "linkdir/evil.pt"] {
            let r = try SandboxTests.run("print \"ran\"\nimport \"\(target)\"\n", in: l)
            #expect(r.status == 65, "\(target): \(r.stderr)")
            #expect(r.stderr.contains("script.pt:2:1: error: access to '\(target)' is not allowed"), "\(r.stderr)")
            #expect(!r.stdout.contains("ran") && !r.stdout.contains("imported secret"))
        }
    }

    @Test func theScriptsFolderAndTheWorkingDirectoryAreAllowed() throws {
        let l = try SandboxTests.layout()
        defer { try? FileManager.default.removeItem(at: l.root) }
        let r = try SandboxTests.run("""
        print read_text("data.txt"), read_text("sub/../data.txt"), read_text("\(l.work.path)/here.txt")
        write_text("made.txt", "ok")
        write_text("\(l.work.path)/made_here.txt", "ok")
        """, in: l)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "inside inside work\n")
        #expect(FileManager.default.fileExists(atPath: l.recipe.appendingPathComponent("made.txt").path))
        #expect(FileManager.default.fileExists(atPath: l.work.appendingPathComponent("made_here.txt").path))
    }

    @Test func allowPathWidensAccessToThatFolderOnly() throws {
        let l = try SandboxTests.layout()
        defer { try? FileManager.default.removeItem(at: l.root) }
        let allow = ["--allow-path", l.outside.path]
        let r = try SandboxTests.run("print read_text(\"link.txt\"), read_text(\"../outside/secret.txt\")\nwrite_text(\"linkdir/new.txt\", \"x\")\n",
                                     in: l, options: allow)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "secret secret\n")
        #expect(FileManager.default.fileExists(atPath: l.outside.appendingPathComponent("new.txt").path))
        let denied = try SandboxTests.run("print read_text(\"/etc/hostname\")\n", in: l, options: allow)
        #expect(denied.status == 1 && denied.stderr.contains("access to '/etc/hostname' is not allowed"), "\(denied.stderr)")
    }

    /// No builtin runs a process, opens a socket or reaches the network; the names a user might try are unknown.
    @Test func noProcessOrSocketAccess() throws {
        let l = try SandboxTests.layout()
        defer { try? FileManager.default.removeItem(at: l.root) }
        for name in ["system", "exec", "shell", "spawn", "popen", "run", "socket", "connect", "http_get", "url", "open",
                     "getenv", "eval", "dlopen"] {
            let r = try SandboxTests.run("let r = \(name)(\"ls\")\n", in: l)
            #expect(r.status == 65 && r.stderr.contains("cannot find '\(name)' in scope"), "\(name): \(r.stderr)")
        }
        // No builtin is a process, socket or network call.
        let forbidden = ["system", "exec", "shell", "spawn", "popen", "process", "socket", "connect", "http", "url",
                         "fetch", "download", "getenv", "env", "dlopen", "command"]
        for name in BuiltinRegistry.standard.globalNames {
            #expect(!forbidden.contains { name.lowercased().contains($0) }, "builtin '\(name)' looks like process or network access")
        }
    }
}
