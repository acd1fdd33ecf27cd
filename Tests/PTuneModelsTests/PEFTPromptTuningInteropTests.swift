import Foundation
import Testing
import PTuneCore
import PTuneLang
import PTuneNN

/// Prompt tuning with TEXT init against real PEFT over the float32 SmolLM2: PEFT's own TEXT-init adapters (n longer
/// than the text, so repeated, and shorter, so cut) hold exactly the table `embedding(n, lm, init: text(…))` makes;
/// imported into ptune they give PEFT's next-token logits; ptune's export loads with `PeftModel.from_pretrained` as
/// a `PROMPT_TUNING` / `TEXT` adapter and gives ptune's logits.
@Suite("PEFT prompt tuning round trip", .enabled(if: ModelFiles.smollm2Present && PythonInterop.available,
                                                  "needs the SmolLM2 GGUF and the interop Python environment"))
struct PEFTPromptTuningInteropTests {
    static let initText = "Classify the review:"
    static let inputs = ["Review: a gorgeous, witty, seductive movie.\nSentiment:", "The capital of France is"]

    /// Runs a ptune script in a session that may read and write `folder` and read `model`; fails on any diagnostic.
    func run(_ source: String, in folder: URL, model: String) throws {
        var options = SessionOptions()
        options.fileAccess.allow(folder.path)
        options.fileAccess.allowReading(model)
        let session = Session(options: options, output: OutputSink(write: { _ in }, note: { _ in }))
        do {
            _ = try session.run(SourceFile(name: "roundtrip.pt", text: source, directory: folder.path))
        } catch {
            Issue.record("ptune failed: \(error.diagnostics.map(\.headline))")
            throw error
        }
    }

    func tensor(_ url: URL, _ name: String) throws -> [Float] {
        try SafeTensorsFile(contentsOf: url).tensor(name).scalars(as: Float.self)
    }

    func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    @Test("TEXT init equals PEFT's, and adapters go both ways with logits within 1e-4")
    func roundTrip() throws {
        let hf = try PythonInterop.smollm2Folder()
        let dir = try PythonInterop.temporaryFolder("peft-prompt-tuning")
        defer { try? FileManager.default.removeItem(at: dir) }
        let counts = [8, 3]
        try PythonInterop.run("peft_prompt_tuning.py", ["make", hf, dir.path, Self.initText] + counts.map(String.init))

        // ptune: the TEXT-init table, PEFT's adapter imported, next-token logits with each, ptune's own export.
        var script = "model lm = load(\"\(hf)\")\n"
        for (i, text) in Self.inputs.enumerated() {
            script += "let ids\(i) = tokenize(lm, \"\(text.replacingOccurrences(of: "\n", with: "\\n"))\")\n"
            script += "let x\(i) = lm.embed(ids\(i).reshape(1, ids\(i).shape[0]))\n"
        }
        for n in counts {
            script += """
                encoder pt\(n) = embedding(\(n), lm, init: text("\(Self.initText)"))
                encoder peft\(n) = import_peft("n\(n)")
                export_peft(pt\(n), "ptune\(n)")
                let table\(n) = pt\(n)()
                save table\(n) to "table\(n).safetensors"

                """
            for i in Self.inputs.indices {
                script += """
                    let own\(n)_\(i) = lm(prompt(pt\(n), x\(i)))[0, -1]
                    let imported\(n)_\(i) = lm(prompt(peft\(n), x\(i)))[0, -1]
                    save own\(n)_\(i) to "own\(n)_\(i).safetensors"
                    save imported\(n)_\(i) to "imported\(n)_\(i).safetensors"

                    """
            }
        }
        script += "save ids0 to \"ids0.safetensors\"\nsave ids1 to \"ids1.safetensors\"\n"
        try run(script, in: dir, model: hf)

        let ids = try Self.inputs.indices.map { i in
            try SafeTensorsFile(contentsOf: dir.appendingPathComponent("ids\(i).safetensors")).tensor("ids\(i)").ints
        }
        let idsJSON = Data(("[" + ids.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",") + "]").utf8)
        var worst: Float = 0
        for n in counts {
            // PEFT's TEXT init is ptune's.
            let peftTable = try tensor(dir.appendingPathComponent("n\(n)/adapter_model.safetensors"), "prompt_embeddings")
            let ownTable = try tensor(dir.appendingPathComponent("table\(n).safetensors"), "table\(n)")
            #expect(peftTable.count == n * 576 && maxDiff(peftTable, ownTable) <= 1e-6, "n \(n): TEXT tables differ by \(maxDiff(peftTable, ownTable))")

            // ptune's export says what PEFT's says.
            let config = try JSONValue.parse(Data(contentsOf: dir.appendingPathComponent("ptune\(n)/adapter_config.json")))
            #expect(config["peft_type"]?.stringValue == "PROMPT_TUNING" && config["prompt_tuning_init"]?.stringValue == "TEXT")
            #expect(config["prompt_tuning_init_text"]?.stringValue == Self.initText && config["num_virtual_tokens"]?.intValue == n)

            let peftLogits = try PythonInterop.floats(try writeOut(PythonInterop.run("peft_prompt_tuning.py", ["logits", hf, dir.appendingPathComponent("n\(n)").path], input: idsJSON), dir, "peft\(n)"))
            let peftOnOurs = try PythonInterop.floats(try writeOut(PythonInterop.run("peft_prompt_tuning.py", ["logits", hf, dir.appendingPathComponent("ptune\(n)").path], input: idsJSON), dir, "ours\(n)"))
            let vocab = peftLogits.count / Self.inputs.count
            for i in Self.inputs.indices {
                let row = Array(peftLogits[i * vocab..<(i + 1) * vocab]), ourRow = Array(peftOnOurs[i * vocab..<(i + 1) * vocab])
                let imported = try tensor(dir.appendingPathComponent("imported\(n)_\(i).safetensors"), "imported\(n)_\(i)")
                let own = try tensor(dir.appendingPathComponent("own\(n)_\(i).safetensors"), "own\(n)_\(i)")
                let a = maxDiff(imported, row), b = maxDiff(own, ourRow)
                worst = max(worst, a, b)
                #expect(a <= 1e-4, "n \(n), input \(i): ptune with PEFT's adapter vs PEFT: \(a)")
                #expect(b <= 1e-4, "n \(n), input \(i): PEFT with ptune's export vs ptune: \(b)")
            }
        }
        print("PEFT PROMPT_TUNING/TEXT round trip over \(hf): max |logit(ptune) − logit(PEFT)| = \(worst)")
    }

    /// Keeps a Python run's output as a file, for ``PythonInterop/floats(_:)``.
    func writeOut(_ data: Data, _ dir: URL, _ name: String) throws -> URL {
        let url = dir.appendingPathComponent(name + ".f32")
        try data.write(to: url)
        return url
    }
}
