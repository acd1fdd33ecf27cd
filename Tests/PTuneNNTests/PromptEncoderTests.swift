import Foundation
import Testing
import PTuneCore
@testable import PTuneNN

/// Prompt encoders: PEFT-exact layouts (names, shapes, counts, and outputs equal to PyTorch's for the same weights),
/// PyTorch's default initialisations, TEXT init, and the seed toy's scale encoder.
@Suite struct PromptEncoderTests {
    @Test func mlpEncoderIsPEFTExact() throws {
        var g = Generator(seed: 1)
        let e = try MLPPromptEncoder(numVirtualTokens: 20, tokenDim: 1024, hiddenSize: 128, using: &g)
        #expect(e.parameterCount == 300_288, "PEFT's documented count for d = 1024, n = 20, H = 128")
        #expect(e.parameters.map(\.name) == ["embedding.weight", "mlp_head.0.weight", "mlp_head.0.bias", "mlp_head.2.weight",
                                              "mlp_head.2.bias", "mlp_head.4.weight", "mlp_head.4.bias"])
        #expect(e.parameters.map(\.shape) == [[20, 1024], [128, 1024], [128], [128, 128], [128], [1024, 128], [1024]])
        #expect(try e.encode().shape == [20, 1024])
        let smol = try MLPPromptEncoder(numVirtualTokens: 10, tokenDim: 576, hiddenSize: 256, using: &g)
        #expect(smol.parameterCount == 367_296, "the SmolLM2 anchor's trainable count")
        #expect(try MLPPromptEncoder(numVirtualTokens: 2, tokenDim: 8, using: &g).hiddenSize == 8, "H defaults to d")
    }

    @Test func lstmEncoderIsPEFTExact() throws {
        var g = Generator(seed: 2)
        let big = try LSTMPromptEncoder(numVirtualTokens: 20, tokenDim: 1024, hiddenSize: 128, using: &g)
        #expect(big.parameterCount == 1_926_400)
        let e = try LSTMPromptEncoder(numVirtualTokens: 10, tokenDim: 64, hiddenSize: 32, using: &g)
        #expect(e.parameterCount == 59_136)
        var expected = ["embedding.weight"]
        for l in 0..<2 {
            for suffix in ["", "_reverse"] {
                expected += ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { "lstm_head.\($0)_l\(l)\(suffix)" }
            }
        }
        expected += ["mlp_head.0.weight", "mlp_head.0.bias", "mlp_head.2.weight", "mlp_head.2.bias"]
        #expect(e.parameters.map(\.name) == expected)
        #expect(e.parameters[1].shape == [128, 64] && e.parameters[9].shape == [128, 64] && e.parameters[10].shape == [128, 32])
        #expect(try e.encode().shape == [10, 64])
    }

    @Test func encodersComputeWhatPyTorchComputes() throws {
        let file = try SafeTensorsFile(contentsOf: Fixtures.url("peft_encoders", "safetensors"))
        var g = Generator(seed: 3)
        let mlp = try MLPPromptEncoder(numVirtualTokens: 3, tokenDim: 4, hiddenSize: 5, dtype: .float64, using: &g)
        let lstm = try LSTMPromptEncoder(numVirtualTokens: 3, tokenDim: 4, hiddenSize: 2, dtype: .float64, using: &g)
        for (name, encoder) in [("mlp", mlp as PromptEncoder), ("lstm", lstm)] {
            var weights: [String: Tensor] = [:]
            for n in file.names where n.hasPrefix(name + ".") && n != name + ".output" { weights[String(n.dropFirst(name.count + 1))] = try file.tensor(n) }
            try encoder.load(weights: weights)
            let want = try file.tensor(name + ".output").doubles
            for (a, b) in zip(try encoder.encode().doubles, want) { #expect(Swift.abs(a - b) < 1e-14, "\(name)") }
        }
    }

    @Test func initialisationsFollowPyTorch() throws {
        var g = Generator(seed: 4)
        let lin = try Linear(400, 300, dtype: .float64, using: &g)
        let w = lin.weight.value.doubles, bound = 1 / 20.0
        #expect(w.allSatisfy { Swift.abs($0) <= bound } && (lin.bias?.value.doubles ?? []).allSatisfy { Swift.abs($0) <= bound })
        let mean = w.reduce(0, +) / Double(w.count), variance = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count)
        #expect(Swift.abs(mean) < 2e-3 && Swift.abs(variance - bound * bound / 3) < 1e-4, "U(±1/√in) has variance bound²/3")
        let emb = try Embedding(500, 200, dtype: .float64, using: &g).weight.value.doubles
        let em = emb.reduce(0, +) / Double(emb.count), ev = emb.reduce(0) { $0 + ($1 - em) * ($1 - em) } / Double(emb.count)
        #expect(Swift.abs(em) < 0.01 && Swift.abs(ev - 1) < 0.01, "N(0, 1)")
        let lstm = try LSTM(inputSize: 7, hiddenSize: 16, dtype: .float64, using: &g)
        #expect(lstm.parameters.allSatisfy { $0.value.doubles.allSatisfy { Swift.abs($0) <= 0.25 } }, "U(±1/√H)")
        let ln = try LayerNorm(6)
        #expect(ln.weight?.value.doubles == [1, 1, 1, 1, 1, 1] && ln.bias?.value.doubles == [0, 0, 0, 0, 0, 0])
        // Same seed, same weights; names are stable dotted paths.
        var a = Generator(seed: 9), b = Generator(seed: 9)
        let gpt1 = try GPT(GPT.Config(vocabSize: 7, dim: 4, layers: 2, heads: 2, context: 5), using: &a)
        let gpt2 = try GPT(GPT.Config(vocabSize: 7, dim: 4, layers: 2, heads: 2, context: 5), using: &b)
        #expect(gpt1.checksum() == gpt2.checksum())
        #expect(gpt1.parameters.map(\.name).prefix(6) == ["wte.weight", "wpe.weight", "blocks.0.ln1.weight", "blocks.0.ln1.bias",
                                                          "blocks.0.qkv.weight", "blocks.0.qkv.bias"])
        #expect(gpt1.parameters.last?.name == "lm_head.weight")
    }

    @Test func embeddingEncoderTextInitAndScaleEncoder() throws {
        var g = Generator(seed: 5)
        let model = try ToyMatrixModel(weights: try Tensor.randn([3, 2], using: &g), tokenTable: try Tensor.randn([6, 3], using: &g))
        let e = try EmbeddingPromptEncoder(numVirtualTokens: 5, initializingFromTokens: [4, 1], of: model)
        let rows = try model.table.value.doubles
        let expected = [4, 1, 4, 1, 4].flatMap { Array(rows[($0 * 3)..<($0 * 3 + 3)]) }
        #expect(try e.encode().doubles == expected, "ids repeated to n, as PEFT's TEXT init")
        let truncated = try EmbeddingPromptEncoder(numVirtualTokens: 1, initializingFromTokens: [2, 3, 5], of: model)
        #expect(try truncated.encode().doubles == Array(rows[6..<9]))
        #expect(e.parameters.map(\.name) == ["embedding.weight"] && !e.isInferenceOnly)
        let base = try Tensor(shape: [2, 2], values: [1, 2, 3, 4], dtype: .float64)
        let scale = try ScalePromptEncoder(base: base, scale: try Tensor(shape: [2, 2], values: [0.5, -1, 2, 0], dtype: .float64))
        #expect(try scale.encode().doubles == [0.5, -2, 6, 0])
        #expect(scale.buffers["base"]?.doubles == [1, 2, 3, 4] && scale.parameters.map(\.name) == ["scale"])
        for kind in PromptEncoderKind.allCases {
            let made = try PromptEncoders.make(PromptEncoderConfig(kind: kind, numVirtualTokens: 3, tokenDim: 4, hiddenSize: 2), using: &g)
            // A prefix encoder's row holds keys and values for each of its (default two) layers.
            #expect(try made.config.kind == kind && made.encode().shape == [3, kind.isDeep ? 2 * 2 * 4 : 4])
        }
    }
}
