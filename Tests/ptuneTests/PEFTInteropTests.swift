import Foundation
import Testing

/// Adapters exported by `export_peft(…, model: lm)` load in PEFT as they are: `AutoPeftModelForCausalLM` finds the
/// base model through `base_model_name_or_path` and gives ptune's logits; an adapter read with `import_peft` trains
/// further and exports again. The model is a tiny random Llama that transformers writes as a Hugging Face folder.
/// Skipped, with a message, when `PTUNE_PYTHON` is not set (scripts/test creates the environment and sets it).
@Suite(.serialized) struct PEFTInteropTests {
    static var python: URL? { EditorIntegrationTests.python }

    static func runPython(_ arguments: [String], in dir: URL) throws -> String {
        let python = try #require(PEFTInteropTests.python)
        let script = PtuneProcess.packageRoot.appendingPathComponent("Tests/Interop/peft_adapter.py").path
        let r = try ProcessRunner.run(python, [script] + arguments, in: dir, seconds: 600,
                                      environment: ["PYTHONDONTWRITEBYTECODE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"])
        #expect(r.status == 0, "peft_adapter.py \(arguments.first ?? ""):\n\(r.stderr.suffix(3000))")
        return r.stdout
    }

    /// The `check` line of peft_adapter.py.
    struct Check: Decodable {
        let base_model_name_or_path: String?
        let num_layers: Int?
        let num_attention_heads: Int?
        let num_virtual_tokens: Int
        let peft: String
        let rows: [Int]
        let max_diff: Double?
    }

    @Test(.enabled(if: python != nil, "PTUNE_PYTHON is not set: the PEFT interop test needs the interop Python environment (scripts/test makes it)"))
    func exportedAdaptersLoadInPEFTAndImportedOnesTrainFurther() throws {
        let dir = try PtuneProcess.temporaryFolder("peft-interop")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try PEFTInteropTests.runPython(["tiny-llama", "tiny"], in: dir)
        let script = """
            seed 1
            model lm = load("tiny")
            encoder pe = embedding(3, 16)
            let ids = to([[5, 6, 7]], "int64")
            data d = dataset(x: randn(4, 16))
            train pe on d {
              loss: mean(square(lm(prompt(pe, lm.embed(ids))))) + sum(batch.x) * 0
              optimizer: adam(lr: 0.05)
              steps: 3
            }
            save lm(prompt(pe, lm.embed(ids))) to "first.safetensors"
            export_peft(pe, "first", model: lm)

            encoder again = import_peft("first")
            let before = again()
            train again on d {
              loss: mean(square(lm(prompt(again, lm.embed(ids))))) + sum(batch.x) * 0
              optimizer: adam(lr: 0.05)
              steps: 3
            }
            print "moved", item(max(abs(again() - before))) > 0
            save lm(prompt(again, lm.embed(ids))) to "second.safetensors"
            export_peft(again, "second", model: lm, base_model: "\(dir.path)/tiny")

            """
        try script.write(to: dir.appendingPathComponent("adapter.pt"), atomically: true, encoding: .utf8)
        let r = try PtuneProcess.run(["--quiet", "adapter.pt"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "moved true\n")
        let realTiny = dir.appendingPathComponent("tiny").resolvingSymlinksInPath().path
        for name in ["first", "second"] {
            let out = try PEFTInteropTests.runPython(["check", name, name + ".safetensors"], in: dir)
            let line = try #require(out.split(separator: "\n").last.map(String.init))
            let c = try JSONDecoder().decode(Check.self, from: Data(line.utf8))
            #expect(c.base_model_name_or_path.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path } == realTiny, "\(name): \(line)")
            #expect(c.num_layers == 2 && c.num_attention_heads == 4 && c.num_virtual_tokens == 3, "\(name): \(line)")
            #expect(c.rows == [6, 6], "\(name): \(line)")
            #expect((c.max_diff ?? .infinity) < 1e-5, "\(name): PEFT's logits differ from ptune's: \(line)")
            let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(name + "/adapter_config.json"))) as? [String: Any]
            #expect(config?["peft_version"] as? String == c.peft, "the adapter claims another PEFT version than the one that loads it")
        }

        // The encoder must fit the model (the checker reads the folder's config.json, so nothing runs), and a
        // placement PEFT cannot express is refused.
        let wide = try PtuneProcess.run(["-e", "model lm = load(\"tiny\")\nencoder pe = embedding(3, 8)\nexport_peft(pe, \"x\", model: lm)"], in: dir)
        #expect(wide.status == 65 && wide.stderr.contains("export_peft: the encoder 'pe' makes tokens of width 8, but the model 'lm' embeds tokens of width 16"),
                "\(wide.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
    }
}
