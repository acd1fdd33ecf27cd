import Foundation
import Testing
import PTuneCore
import PTuneLang
import PTuneNN

/// Prefix tuning against real PEFT over the float32 SmolLM2 (grouped-query attention: 3 key/value heads of 64 under
/// 9 query heads): PEFT's `PREFIX_TUNING` adapters — its random table, the table its `initialize_kv_prefix_from_text`
/// makes from a prefill, and one trained through `prefix_projection` — import into ptune with PEFT's next-token
/// logits (by `lm.forward` and by `label_logits`) and its greedy continuation; ptune's exports (random, projection,
/// text init) load with `PeftModel.from_pretrained` and give ptune's logits; ptune's text init is PEFT's prefill of
/// the text; and PEFT's own trainable projection, loaded with a ptune encoder's parameters, makes the same table.
@Suite("PEFT prefix tuning round trip", .enabled(if: ModelFiles.smollm2Present && PythonInterop.available,
                                                  "needs the SmolLM2 GGUF and the interop Python environment"))
struct PEFTPrefixTuningInteropTests {
    static let inputs = ["Review: a gorgeous, witty, seductive movie.\nSentiment:", "The capital of France is"]
    static let words = [" negative", " positive"]
    static let n = 6, hidden = 32
    static let initText = "Classify the review as positive or negative."

    /// Runs a ptune script in a session that may read and write `folder` and read `model`; fails on any diagnostic.
    func run(_ source: String, in folder: URL, model: String) throws {
        var options = SessionOptions()
        options.fileAccess.allow(folder.path)
        options.fileAccess.allowReading(model)
        let session = Session(options: options, output: OutputSink(write: { _ in }, note: { _ in }))
        do {
            _ = try session.run(SourceFile(name: "prefix.pt", text: source, directory: folder.path))
        } catch {
            Issue.record("ptune failed: \(error.diagnostics.map(\.headline))")
            throw error
        }
    }

    func tensor(_ dir: URL, _ name: String) throws -> Tensor {
        try SafeTensorsFile(contentsOf: dir.appendingPathComponent(name + ".safetensors")).tensor(name)
    }

    func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    func floats(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    }

    @Test("PEFT's PREFIX_TUNING adapters and ptune's go both ways with logits within 1e-4")
    func roundTrip() throws {
        let hf = try PythonInterop.smollm2Folder()
        let dir = try PythonInterop.temporaryFolder("peft-prefix-tuning")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = Self.n, h = Self.hidden
        try PythonInterop.run("peft_prefix_tuning.py", ["make", hf, dir.path, String(n), String(h), Self.initText])

        var script = """
            seed 3
            model lm = load("\(hf)")
            encoder peft_random = import_peft("random")
            encoder peft_plain = import_peft("plain")
            encoder peft_proj = import_peft("proj")
            encoder own_random = prefix(\(n), lm)
            encoder own_proj = prefix(\(n), lm, projection: \(h))
            encoder own_text = prefix(\(n), lm, init: text("\(Self.initText)"))
            export_peft(own_random, "ptune_random", model: lm)
            export_peft(own_proj, "ptune_proj", model: lm)
            export_peft(own_text, "ptune_text", model: lm)
            save own_proj to "own_proj.ckpt"
            let text_table = own_text()
            save text_table to "text_table.safetensors"
            let texts = [\(Self.inputs.map { "\"\($0.replacingOccurrences(of: "\n", with: "\\n"))\"" }.joined(separator: ", "))]

            """
        for name in ["peft_plain", "peft_proj"] {
            script += "let \(name)_labels = label_logits(lm, texts, [\" negative\", \" positive\"], encoder: \(name))\n"
            script += "save \(name)_labels to \"\(name)_labels.safetensors\"\n"
        }
        for (i, text) in Self.inputs.enumerated() {
            script += "let ids\(i) = tokenize(lm, \"\(text.replacingOccurrences(of: "\n", with: "\\n"))\")\n"
            script += "save ids\(i) to \"ids\(i).safetensors\"\n"
            for name in ["peft_random", "peft_plain", "peft_proj", "own_random", "own_proj", "own_text"] {
                script += "let \(name)_\(i) = lm.forward(ids\(i), encoder: \(name))[-1]\n"
                script += "save \(name)_\(i) to \"\(name)_\(i).safetensors\"\n"
            }
        }
        script += """
            write_text("generated.txt", generate(lm, "The capital of France is", encoder: peft_plain, max_tokens: 8))
            let words = concat(tokenize(lm, " negative"), tokenize(lm, " positive"))
            save words to "words.safetensors"

            """
        try run(script, in: dir, model: hf)

        // ptune's export says what PEFT's says.
        let config = try JSONValue.parse(Data(contentsOf: dir.appendingPathComponent("ptune_proj/adapter_config.json")))
        #expect(config["peft_type"]?.stringValue == "PREFIX_TUNING" && config["prefix_projection"]?.boolValue == true)
        #expect(config["encoder_hidden_size"]?.intValue == h && config["token_dim"]?.intValue == 192 && config["num_layers"]?.intValue == 30)
        #expect(config["num_attention_heads"]?.intValue == 3)

        let ids = try Self.inputs.indices.map { try tensor(dir, "ids\($0)").ints }
        let idsJSON = Data(("[" + ids.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",") + "]").utf8)
        var worst: Float = 0, worstRelative: Float = 0
        /// Next-token logits of PEFT with `adapter` against ptune's with `encoder`: within 1e-4, or for a table of
        /// unit-normal keys and values (PEFT's random init, far from any trained prefix, which makes attention
        /// scores large) within 1e-4 of the largest logit.
        func compare(_ adapter: String, with encoder: String, relative: Bool = false) throws {
            let peft = floats(try PythonInterop.run("peft_prefix_tuning.py", ["logits", hf, dir.appendingPathComponent(adapter).path], input: idsJSON))
            let vocab = peft.count / Self.inputs.count
            for i in Self.inputs.indices {
                let row = Array(peft[i * vocab..<(i + 1) * vocab])
                let ours = try tensor(dir, "\(encoder)_\(i)").scalars(as: Float.self)
                let d = maxDiff(ours, row), scale = max(1, row.map(abs).max() ?? 1)
                if relative { worstRelative = max(worstRelative, d / scale) } else { worst = max(worst, d) }
                #expect(d <= 1e-4 * (relative ? scale : 1), "\(adapter) in PEFT vs \(encoder) in ptune, input \(i): \(d) (largest logit \(scale))")
            }
        }
        // PEFT's adapters imported into ptune; ptune's exports loaded by PEFT.
        try compare("plain", with: "peft_plain")
        try compare("proj", with: "peft_proj")
        try compare("random", with: "peft_random", relative: true)
        try compare("ptune_text", with: "own_text")
        try compare("ptune_proj", with: "own_proj")
        try compare("ptune_random", with: "own_random", relative: true)

        // ptune's text init is PEFT's prefill of the same text (keys in Hugging Face's order).
        let peftText = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("plain/adapter_model.safetensors")).tensor("prompt_embeddings").scalars(as: Float.self)
        let ownText = try tensor(dir, "text_table").scalars(as: Float.self)
        #expect(ownText.count == n * 30 * 2 * 192 && maxDiff(peftText, ownText) <= 1e-4, "text-init tables differ by \(maxDiff(peftText, ownText))")

        // label_logits' packed path reads PEFT's logits at the label words.
        let wordIds = try tensor(dir, "words").ints
        #expect(wordIds.count == 2)
        for name in ["peft_plain", "peft_proj"] {
            let labels = try tensor(dir, "\(name)_labels").scalars(as: Float.self)
            for i in Self.inputs.indices {
                let full = try tensor(dir, "\(name)_\(i)").scalars(as: Float.self)
                let d = maxDiff(Array(labels[(i * 2)..<(i * 2 + 2)]), wordIds.map { full[$0] })
                #expect(d <= 1e-4, "\(name): label_logits vs forward, input \(i): \(d)")
            }
        }

        // Greedy generation after PEFT's prefix is greedy decoding by PEFT's forward (8 new tokens, decoded).
        let prompt = try tensor(dir, "ids1").ints
        let peftGenerated = try JSONValue.parse(PythonInterop.run("peft_prefix_tuning.py", ["generate", hf, dir.appendingPathComponent("plain").path, "8"],
                                                                  input: Data(("[" + prompt.map(String.init).joined(separator: ",") + "]").utf8)))
        let want = peftGenerated.stringValue ?? "(none)"
        let got = try String(contentsOf: dir.appendingPathComponent("generated.txt"), encoding: .utf8)
        #expect(got == want, "ptune generated \(got.debugDescription), PEFT \(want.debugDescription)")

        // PEFT's trainable projection with ptune's parameters makes ptune's table.
        let peftTable = floats(try PythonInterop.run("peft_prefix_tuning.py", ["table", hf, dir.appendingPathComponent("own_proj.ckpt").path, "own_proj", String(n), String(h)]))
        let ownTable = try SafeTensorsFile(contentsOf: dir.appendingPathComponent("ptune_proj/adapter_model.safetensors")).tensor("prompt_embeddings").scalars(as: Float.self)
        #expect(ownTable.count == n * 30 * 2 * 192 && maxDiff(peftTable, ownTable) <= 1e-5, "projection tables differ by \(maxDiff(peftTable, ownTable))")
        print("PEFT PREFIX_TUNING round trip over \(hf): max |logit(ptune) − logit(PEFT)| = \(worst); unit-normal tables: \(worstRelative) of the largest logit; text-init tables differ by \(maxDiff(peftText, ownText))")
    }
}
