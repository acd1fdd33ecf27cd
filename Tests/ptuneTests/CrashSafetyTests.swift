import Foundation
import PTuneCore
import PTuneFuzz
import PTuneNN
import PTuneRun
import Testing

/// Files survive crashes: a process saving every kind of file ptune writes is killed with SIGKILL at random
/// moments, and after each kill every file there must load as one complete generation — the old one or a newer
/// one, never a torn mixture. (`AtomicFile` writes a temporary file, fsyncs it and renames it over the target.)
@Suite(.serialized) struct CrashSafetyTests {
    /// Starts `executable`, waits a random time, kills it with SIGKILL; returns the generations it reported done.
    static func killAtRandom(_ executable: URL, _ arguments: [String], in directory: URL, maxDelay: Double,
                             rng: inout SystemRandomNumberGenerator) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["PTUNE_HISTORY"] = ""
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(UInt32(Double.random(in: 0...maxDelay, using: &rng) * 1_000_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Checkpoints, PEFT exports, text, CSV logs and SVG plots: 60 kills of the saver.
    @Test func everySavedFileIsCompleteAfterSIGKILL() throws {
        let folder = try PtuneProcess.temporaryFolder("crash-safety")
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SystemRandomNumberGenerator()
        var previous: [String: Int] = [:]
        var kills = 0, generations = 0
        for _ in 0..<60 {
            let out = try CrashSafetyTests.killAtRandom(ProcessRunner.binary("ptune-fuzz"), ["save-loop", folder.path],
                                                        in: folder, maxDelay: 1.5, rng: &rng)
            kills += 1
            generations += out.split(separator: "\n").count
            let found: [String: Int]
            do { found = try SaveLoop.verify(folder: folder.path) } catch {
                Issue.record("after kill \(kills): \(error)")
                return
            }
            for (file, g) in previous {
                // A file never goes back to an older generation, and never disappears once written.
                guard let now = found[file] else { Issue.record("\(file) vanished after kill \(kills)"); continue }
                #expect(now >= g, "\(file) went back from generation \(g) to \(now)")
            }
            previous = found
        }
        #expect(kills >= 50)
        #expect(generations > 5, "the saver completed only \(generations) generations: the kills never hit a save")
        #expect(previous.count == SaveLoop.files.count, "files written: \(previous.keys.sorted())")
    }

    /// The command itself: `ptune --record DIR` on a script that checkpoints an encoder every step, saves it,
    /// exports it as a PEFT adapter, and writes text, a CSV log and a plot — killed at 30 random moments, the runs
    /// alternating between an encoder of 4 and one of 6 virtual tokens; every file present afterwards loads
    /// complete, and each multi-file output is one run's: the adapter's weights match its config, the record's
    /// metrics and script copy match the hashes in its record.json.
    @Test func recordAndScriptOutputsAreCompleteAfterSIGKILL() throws {
        let folder = try PtuneProcess.temporaryFolder("crash-record")
        defer { try? FileManager.default.removeItem(at: folder) }
        let note = String(repeating: "a complete line of the note\\n", count: 3000)
        func script(_ virtual: Int) -> String { """
        seed 1
        data d = dataset(x: ones(8, 2))
        encoder pe = mlp(\(virtual), 3, hidden: 4)
        let run = train pe on d {
          loss: sum(pe() * pe()) + 1
          optimizer: adam(lr: 0.01)
          batch: 4
          steps: 40
          log_file: "log.csv"
          checkpoint: "ckpt.safetensors" every 1 steps
        }
        save pe to "pe.safetensors"
        export_peft(pe, "adapter")
        write_text("note.txt", "\(note)")
        plot(run, file: "loss.svg", title: "run")
        """
        }
        var rng = SystemRandomNumberGenerator()
        var sawRecord = false
        for i in 0..<30 {
            try Data(script(i % 2 == 0 ? 4 : 6).utf8).write(to: folder.appendingPathComponent("save.pt"))
            _ = try CrashSafetyTests.killAtRandom(PtuneProcess.binary, ["--quiet", "--record", "rec", "save.pt"],
                                                  in: folder, maxDelay: 1.2, rng: &rng)
            let fm = FileManager.default
            if let d = fm.contents(atPath: folder.appendingPathComponent("note.txt").path) {
                #expect(d.count == 28 * 3000, "kill \(i): note.txt has \(d.count) bytes")
            }
            if let d = fm.contents(atPath: folder.appendingPathComponent("log.csv").path) {
                #expect(String(decoding: d, as: UTF8.self).split(separator: "\n").count == 41, "kill \(i): log.csv torn")
            }
            if let d = fm.contents(atPath: folder.appendingPathComponent("loss.svg").path) {
                #expect(String(decoding: d, as: UTF8.self).hasSuffix("</svg>\n"), "kill \(i): loss.svg torn")
            }
            let ckpt = folder.appendingPathComponent("ckpt.safetensors")
            if fm.fileExists(atPath: ckpt.path) {
                do { _ = try Checkpoint.read(from: ckpt) } catch { Issue.record("kill \(i): the checkpoint does not load: \(error)") }
            }
            for file in ["pe.safetensors", "adapter/adapter_model.safetensors"] where fm.fileExists(atPath: folder.appendingPathComponent(file).path) {
                do { _ = try SafeTensorsFile(contentsOf: folder.appendingPathComponent(file)).tensors() } catch {
                    Issue.record("kill \(i): \(file) does not load: \(error)")
                }
            }
            let config = fm.contents(atPath: folder.appendingPathComponent("adapter/adapter_config.json").path)
            let weights = fm.contents(atPath: folder.appendingPathComponent("adapter/adapter_model.safetensors").path)
            #expect((config == nil) == (weights == nil), "kill \(i): one of the adapter's two files is missing")
            if let config, let weights {
                let json = try? JSONValue.parse(config)
                #expect(json?["peft_type"]?.stringValue == "P_TUNING", "kill \(i): adapter_config.json torn")
                let rows = (try? SafeTensorsFile(data: weights).tensor("prompt_embeddings"))?.shape.first
                #expect(rows != nil && rows == json?["num_virtual_tokens"]?.intValue,
                        "kill \(i): the adapter's weights have \(rows ?? -1) rows, its config says \(json?["num_virtual_tokens"]?.intValue ?? -1)")
            }
            let record = folder.appendingPathComponent("rec")
            if let d = fm.contents(atPath: record.appendingPathComponent("record.json").path) {
                sawRecord = true
                let json = try? JSONSerialization.jsonObject(with: d) as? [String: Any]
                #expect(json?["script"] as? String == "save.pt", "kill \(i): record.json torn (\(d.count) bytes)")
                let copy = fm.contents(atPath: record.appendingPathComponent("save.pt").path)
                let metrics = fm.contents(atPath: record.appendingPathComponent("metrics.csv").path)
                #expect(copy.map { SHA256.hex(of: Array($0)) } == json?["script_sha256"] as? String,
                        "kill \(i): the record's script copy is not the script its record.json describes")
                #expect(metrics.map { SHA256.hex(of: Array($0)) } == json?["metrics_sha256"] as? String,
                        "kill \(i): the record's metrics.csv is not the one its record.json describes")
            } else {
                #expect(!fm.fileExists(atPath: record.appendingPathComponent("save.pt").path), "kill \(i): a record without record.json")
            }
        }
        // One run to the end, so the record is there at least once.
        let r = try ProcessRunner.run(PtuneProcess.binary, ["--quiet", "--record", "rec", "save.pt"], in: folder)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(sawRecord || FileManager.default.fileExists(atPath: folder.appendingPathComponent("rec/record.json").path))
    }
}
