import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels

/// Hugging Face folders written by the test itself — a tiny random Llama in F32, F16 and BF16, whole and sharded,
/// a tiny BERT — load through the registry and give exactly the logits of the same weights built directly; a
/// configuration that ptune cannot honour is an error naming the key before any weight file is opened; and where
/// the interop environment is present, transformers computes the same logits from the same folder.
@Suite("Hugging Face folders")
struct HFFolderTests {
    static let config = DecoderConfig(vocabularySize: 61, hiddenSize: 32, feedForwardSize: 48, layers: 2, heads: 4, kvHeads: 2,
                                    rmsNormEpsilon: 1e-5, ropeBase: 10_000, contextLength: 64, tiedEmbeddings: false,
                                    bosToken: 1, eosToken: 2, padToken: 2)
    static let ids = [1, 5, 17, 3, 42, 60, 7, 7, 0, 33]

    /// Rows of a `[heads·headDim, in]` projection from adjacent pairs back to rotate-half (Hugging Face's layout).
    static func rotateHalfRows(_ t: Tensor, heads: Int, headDim: Int) throws -> Tensor {
        let cols = t.shape[1], half = headDim / 2
        let src = try t.scalars(as: Float.self)
        var out = [Float](repeating: 0, count: src.count)
        for h in 0..<heads { for i in 0..<half { for j in 0..<2 {
            let from = (h * headDim + 2 * i + j) * cols, to = (h * headDim + j * half + i) * cols
            for c in 0..<cols { out[to + c] = src[from + c] }
        } } }
        return try Tensor(shape: t.shape, scalars: out)
    }

    /// The weights under Hugging Face's names and layout.
    static func hfTensors(_ w: DecoderWeights) throws -> [String: Tensor] {
        let c = w.config, hd = c.headDim
        var out: [String: Tensor] = ["model.embed_tokens.weight": try w.tokenEmbedding.dequantized(), "model.norm.weight": w.outputNorm,
                                     "lm_head.weight": try w.output.dequantized()]
        for (l, b) in w.layers.enumerated() {
            let p = "model.layers.\(l)."
            let qkv = try b.qkv.dequantized(), gateUp = try b.gateUp.dequantized()
            let q = try qkv.narrowed(axis: 0, start: 0, length: c.heads * hd)
            let k = try qkv.narrowed(axis: 0, start: c.heads * hd, length: c.kvHeads * hd)
            let v = try qkv.narrowed(axis: 0, start: (c.heads + c.kvHeads) * hd, length: c.kvHeads * hd)
            out[p + "self_attn.q_proj.weight"] = try rotateHalfRows(q, heads: c.heads, headDim: hd)
            out[p + "self_attn.k_proj.weight"] = try rotateHalfRows(k, heads: c.kvHeads, headDim: hd)
            out[p + "self_attn.v_proj.weight"] = v
            out[p + "self_attn.o_proj.weight"] = try b.attentionOutput.dequantized()
            out[p + "mlp.gate_proj.weight"] = try gateUp.narrowed(axis: 0, start: 0, length: c.feedForwardSize)
            out[p + "mlp.up_proj.weight"] = try gateUp.narrowed(axis: 0, start: c.feedForwardSize, length: c.feedForwardSize)
            out[p + "mlp.down_proj.weight"] = try b.down.dequantized()
            out[p + "input_layernorm.weight"] = b.attentionNorm
            out[p + "post_attention_layernorm.weight"] = b.mlpNorm
        }
        return out
    }

    static let configJSON = """
    {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 61, "hidden_size": 32,
     "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
     "head_dim": 8, "hidden_act": "silu", "max_position_embeddings": 64, "rms_norm_eps": 1e-05,
     "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}, "tie_word_embeddings": false,
     "attention_bias": false, "mlp_bias": false, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}
    """

    /// Writes a folder of the weights stored as `storage`, in `shards` files; returns the weights as stored (rounded
    /// to the storage type), under Hugging Face's names.
    static func writeFolder(_ dir: URL, _ w: DecoderWeights, storage: SafeTensorsDType, shards: Int, config: String = configJSON) throws -> [String: Tensor] {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
        let all = try hfTensors(w)
        let names = all.keys.sorted()
        var stored: [String: Tensor] = [:]
        if shards == 1 {
            let data = try SafeTensors.encode(all, floatStorage: storage)
            try data.write(to: dir.appendingPathComponent("model.safetensors"))
            stored = try SafeTensors.decode(data)
        } else {
            var map: [String: JSONValue] = [:]
            for s in 0..<shards {
                let file = String(format: "model-%05d-of-%05d.safetensors", s + 1, shards)
                let part = Dictionary(uniqueKeysWithValues: names.enumerated().filter { $0.offset % shards == s }.map { ($0.element, all[$0.element]!) })
                let data = try SafeTensors.encode(part, floatStorage: storage)
                try data.write(to: dir.appendingPathComponent(file))
                stored.merge(try SafeTensors.decode(data)) { a, _ in a }
                for n in part.keys { map[n] = .string(file) }
            }
            let index = JSONValue.object(["metadata": .object([:]), "weight_map": .object(map)])
            try Data(index.serialized().utf8).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
        }
        return stored
    }

    static func logits(_ m: DecoderModel, _ ids: [Int]) throws -> [Float] {
        let h = try m.hiddenStates(m.embed(ids), packing: DecoderPacking(lengths: [ids.count]))
        return try m.logits(h).scalars(as: Float.self)
    }

    @Test("a Llama folder in F32, F16 and BF16, whole and sharded, gives the logits of the same weights", arguments: [
        (SafeTensorsDType.f32, 1), (.f16, 1), (.bf16, 1), (.f32, 3), (.bf16, 2),
    ])
    func llamaFolders(_ storage: SafeTensorsDType, _ shards: Int) throws {
        let dir = try PythonInterop.temporaryFolder("hf-llama")
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try DecoderWeights.random(config: Self.config, seed: 11)
        let stored = try Self.writeFolder(dir, w, storage: storage, shards: shards)
        // The reference: the stored (rounded) values under their GGUF names, q and k rows put back in GGUF's
        // adjacent-pair layout, as a GGUF file converted from the folder holds them.
        let c = Self.config
        let back = try DecoderWeights(config: c, layout: .adjacentPairs) { name in
            guard let t = DecoderArchitecture.llama.hfName(ofGGUF: name, prefix: "model.").flatMap({ stored[$0] }) else { return nil }
            guard let heads = DecoderWeights.rotatedHeads(name, c) else { return t }
            return try DecoderWeights.adjacentPairRows(t, heads: heads, headDim: c.headDim, name: name)
        }
        let loaded = try #require(try ModelRegistry().load(dir.path) as? DecoderModel)
        #expect(loaded.config == Self.config)
        let a = try Self.logits(loaded, Self.ids), b = try Self.logits(DecoderModel(weights: back), Self.ids)
        #expect(a == b, "\(storage) × \(shards): logits differ by \(zip(a, b).map { abs($0 - $1) }.max() ?? 0)")
        if storage == .f32 {
            // The weights as generated, before the round trip through the folder: the same logits exactly.
            let direct = try Self.logits(DecoderModel(weights: w), Self.ids)
            #expect(direct == a)
        }

        if storage == .f32 && shards == 1, PythonInterop.available {
            let out = try PythonInterop.run("hf_llama_logits.py", [dir.path] + Self.ids.map(String.init))
            let reference = try JSONDecoder().decode([Float].self, from: out)
            let diff = zip(a, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(reference.count == a.count && diff < 1e-4, "transformers' logits differ by \(diff)")
            print("tiny Llama folder: max |logit(ptune) − logit(transformers)| = \(diff)")
        }
    }

    /// An access check that records what it is asked and allows everything.
    final class Recorder: FileAccessCheck, @unchecked Sendable {
        let lock = NSLock()
        var asked: [String] = []
        func readablePath(_ path: String) throws -> String {
            lock.lock(); asked.append((path as NSString).lastPathComponent); lock.unlock()
            return try UnrestrictedFileAccess().readablePath(path)
        }
        func writablePath(_ path: String) throws -> String {
            lock.lock(); asked.append((path as NSString).lastPathComponent); lock.unlock()
            return try UnrestrictedFileAccess().writablePath(path)
        }
    }

    @Test("hyperparameters ptune cannot honour are errors naming the key, before any weight file is opened", arguments: [
        ("\"hidden_size\": 32,", "", "'hidden_size' is missing"),
        ("\"hidden_size\": 32,", "\"hidden_size\": 32.5,", "'hidden_size' should be a whole number"),
        ("\"head_dim\": 8,", "\"head_dim\": 7,", "head width 7 must be even"),
        ("\"hidden_act\": \"silu\",", "\"hidden_act\": \"gelu\",", "'hidden_act'"),
        ("\"rope_type\": \"default\"", "\"rope_type\": \"yarn\"", "'rope_parameters': rope scaling 'yarn'"),
        ("\"rope_type\": \"default\"", "\"rope_type\": \"llama3\"", "is missing or not a number"),
        ("\"num_key_value_heads\": 2,", "\"num_key_value_heads\": 3,", "kv heads"),
        ("\"num_hidden_layers\": 2,", "\"num_hidden_layers\": 10000000,", "'num_hidden_layers'"),
        ("\"model_type\": \"llama\",", "\"model_type\": \"mamba\",", "architecture 'mamba' is not supported"),
    ])
    func badConfig(_ find: String, _ replace: String, _ message: String) throws {
        let dir = try PythonInterop.temporaryFolder("hf-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try DecoderWeights.random(config: Self.config, seed: 1)
        _ = try Self.writeFolder(dir, w, storage: .f32, shards: 1, config: Self.configJSON.replacingOccurrences(of: find, with: replace))
        let recorder = Recorder()
        do {
            _ = try ModelRegistry().load(dir.path, access: recorder)
            Issue.record("expected an error for \(replace)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains("config.json"), "\(error)")
        }
        #expect(recorder.asked == ["config.json"], "\(recorder.asked)")
    }

    @Test("a tiny BERT folder with sharded BF16 weights and a tokenizer.json loads and encodes")
    func bertFolder() throws {
        let dir = try PythonInterop.temporaryFolder("hf-bert")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tiny = try BERTModelTests.tiny(.float32)
        var state: [String: Tensor] = [:]
        for p in tiny.parameters { state["bert." + p.name] = p.value }
        let names = state.keys.sorted()
        var map: [String: JSONValue] = [:]
        for s in 0..<2 {
            let file = "model-0000\(s + 1)-of-00002.safetensors"
            let part = Dictionary(uniqueKeysWithValues: names.enumerated().filter { $0.offset % 2 == s }.map { ($0.element, state[$0.element]!) })
            try SafeTensors.write(part, to: dir.appendingPathComponent(file), floatStorage: .bf16)
            for n in part.keys { map[n] = .string(file) }
        }
        try Data(JSONValue.object(["weight_map": .object(map)]).serialized().utf8).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
        let config = #"{"model_type": "bert", "vocab_size": 12, "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}"#
        try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
        let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "the", ".", "a", "b"]
        var v: [String: JSONValue] = [:]
        for (i, t) in vocab.enumerated() { v[t] = .int(i) }
        let tokenizer = JSONValue.object([
            "model": .object(["type": .string("WordPiece"), "unk_token": .string("[UNK]"), "vocab": .object(v)]),
            "normalizer": .object(["type": .string("BertNormalizer"), "lowercase": .bool(true)]),
        ])
        try Data(tokenizer.serialized().utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        let m = try #require(try ModelRegistry().load(dir.path) as? BERTModel)
        #expect(m.textTokenizer?.encode("Hello worlds.", addSpecialTokens: true) == [2, 5, 6, 7, 9, 3])
        // BF16 storage: every weight is the bfloat16 rounding of the original.
        for p in tiny.parameters {
            let got = try #require(m.parameters.first { $0.name == p.name }).value.scalars(as: Float.self)
            let want = try p.value.scalars(as: Float.self).map { HalfPrecision.float(fromBFloat: HalfPrecision.bfloat(fromFloat: $0)) }
            #expect(got == want, "\(p.name)")
        }
    }
}
