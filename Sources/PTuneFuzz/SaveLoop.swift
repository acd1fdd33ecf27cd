import Foundation
import PTuneCore
import PTuneLang
import PTuneNN

/// The crash-safety test's saver and its checker. ``run(folder:)`` saves every kind of file ptune writes, over and
/// over, each generation `g` with contents that depend on `g`: a checkpoint, a PEFT adapter export (weights and
/// config), and — through the language — a text file, a training log CSV and an SVG plot. The test kills it with
/// SIGKILL at random moments; ``verify(folder:)`` then checks that every file there loads as one complete
/// generation.
public enum SaveLoop {
    /// The files a generation writes, relative to the folder.
    public static let files = ["checkpoint.safetensors", "adapter/" + PEFTAdapter.weightsFile,
                               "adapter/" + PEFTAdapter.configFile, "note.txt", "train_log.csv", "loss.svg"]

    /// Saves generation after generation forever (from one past the generation found in `folder`), printing
    /// `saved g` after each.
    public static func run(folder: String) -> Never {
        var g = ((try? verify(folder: folder))?.values.max() ?? 0) + 1
        var access = FileAccess(only: [folder])
        access.allow(folder)
        let session = Session(options: SessionOptions(fileAccess: access), output: .discard)
        while true {
            do {
                try save(generation: g, folder: folder, session: session)
            } catch {
                FileHandle.standardError.write(Data("save-loop: generation \(g): \(error)\n".utf8))
                exit(1)
            }
            FileHandle.standardOutput.write(Data("saved \(g)\n".utf8))
            g += 1
        }
    }

    /// Writes generation `g`.
    static func save(generation g: Int, folder: String, session: Session) throws {
        let url = URL(fileURLWithPath: folder)
        let table = try Tensor.full([1 + g % 7, 8], value: Double(g))
        let encoder = try EmbeddingPromptEncoder(table: table)
        var checkpoint = Checkpoint(encoder: encoder)
        checkpoint.step = g
        try checkpoint.write(to: url.appendingPathComponent("checkpoint.safetensors"))
        try PEFTAdapter.export(encoder, to: url.appendingPathComponent("adapter"), options: PEFTAdapter.Options(baseModel: "generation \(g)"))
        let script = """
        write_text("note.txt", \(noteLiteral(g)))
        param w = zeros(2)
        data d = dataset(x: ones(4, 2))
        let run = train w on d {
          loss: sum(batch.x * w) + \(g)
          optimizer: sgd(lr: 0.1)
          batch: 4
          steps: \(logSteps(g))
          log_file: "train_log.csv"
        }
        plot(run, file: "loss.svg", title: "generation \(g)")
        """
        do {
            try session.run(SourceFile(name: "save.pt", text: script, directory: folder))
        } catch {
            throw error
        }
        session.reset()
    }

    /// The text file of generation `g`: 2,000 lines naming it (about 40 KB, so a write takes a while).
    public static func note(_ g: Int) -> String {
        String(repeating: "generation \(g) of the note, complete\n", count: 2000)
    }

    static func noteLiteral(_ g: Int) -> String { "\"" + note(g).replacingOccurrences(of: "\n", with: "\\n") + "\"" }

    /// Steps (so CSV rows) of generation `g`'s training log.
    static func logSteps(_ g: Int) -> Int { 5 + g % 5 }

    /// A file that is not one complete generation.
    public struct Torn: Error, CustomStringConvertible {
        /// The file, relative to the folder.
        public let file: String
        /// What is wrong with it.
        public let reason: String
        public var description: String { "\(file): \(reason)" }
    }

    /// The generation of each file present in `folder`, or throws ``Torn`` naming the first file that is not a
    /// complete generation.
    public static func verify(folder: String) throws -> [String: Int] {
        var found: [String: Int] = [:]
        func torn(_ f: String, _ why: String) -> Torn { Torn(file: f, reason: why) }
        for f in files {
            let path = folder + "/" + f
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            switch f {
            case "checkpoint.safetensors":
                let c: Checkpoint
                do { c = try Checkpoint.read(from: URL(fileURLWithPath: path)) } catch { throw torn(f, "does not load: \(error)") }
                guard let w = try c.state(of: c.tasks.first?.name ?? "").weights.values.first,
                      w.doubles.allSatisfy({ $0 == Double(c.step) }), w.shape == [1 + c.step % 7, 8] else {
                    throw torn(f, "weights do not match step \(c.step)")
                }
                found[f] = c.step
            case "adapter/" + PEFTAdapter.weightsFile:
                let t: Tensor
                do { t = try SafeTensorsFile(data: data).tensor("prompt_embeddings") } catch { throw torn(f, "does not load: \(error)") }
                guard let g = t.doubles.first, t.doubles.allSatisfy({ $0 == g }), t.shape == [1 + Int(g) % 7, 8] else {
                    throw torn(f, "mixed contents")
                }
                found[f] = Int(g)
            case "adapter/" + PEFTAdapter.configFile:
                guard let json = try? JSONValue.parse(data), json["peft_type"]?.stringValue == "PROMPT_TUNING",
                      let n = json["num_virtual_tokens"]?.intValue,
                      let g = json["base_model_name_or_path"]?.stringValue.flatMap({ Int($0.dropFirst("generation ".count)) }),
                      n == 1 + g % 7 else {
                    throw torn(f, "not a complete adapter config")
                }
                found[f] = g
            case "note.txt":
                let text = String(decoding: data, as: UTF8.self)
                guard let g = Int(text.dropFirst("generation ".count).prefix { $0.isNumber }), text == note(g) else {
                    throw torn(f, "not a complete note (\(data.count) bytes)")
                }
                found[f] = g
            case "train_log.csv":
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                guard lines.first == "step,epoch,loss,eval,lr", lines.last == "",
                      let loss = lines.dropFirst().first?.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2).first,
                      let g = Double(loss).map({ Int($0.rounded()) }), lines.count == logSteps(g) + 2 else {
                    throw torn(f, "not a complete log (\(data.count) bytes)")
                }
                found[f] = g
            default:
                let text = String(decoding: data, as: UTF8.self)
                guard text.hasSuffix("</svg>\n") || text.hasSuffix("</svg>"),
                      let r = text.range(of: "generation "), let g = Int(text[r.upperBound...].prefix { $0.isNumber }) else {
                    throw torn(f, "not a complete SVG (\(data.count) bytes)")
                }
                found[f] = g
            }
        }
        // The adapter's two files are one export: never one generation's weights beside another's config.
        let weights = found["adapter/" + PEFTAdapter.weightsFile], config = found["adapter/" + PEFTAdapter.configFile]
        if weights != config {
            throw torn("adapter", "weights of generation \(weights.map(String.init) ?? "none") beside the config of generation \(config.map(String.init) ?? "none")")
        }
        return found
    }
}
