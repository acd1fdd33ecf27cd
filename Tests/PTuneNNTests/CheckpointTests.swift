import Foundation
import Testing
import PTuneCore
@testable import PTuneNN

/// A scratch directory removed when the test ends.
final class ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-nn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Save and resume: a resumed run is bit-identical to one that never stopped.
@Suite struct CheckpointTests {
    /// A two-task run with everything that carries state: LSTM dropout, AdamW moments, a warm-up cosine schedule,
    /// clipping, and data order drawn from the trainer's generator.
    final class Run {
        let tuner: PromptTuner
        let gpt: GPT
        let examples: [PromptExample]

        init(seed: UInt64) throws {
            var frozen = Generator(seed: 100)  // the frozen model is the same in every run
            gpt = try GPT(GPT.Config(vocabSize: 8, dim: 6, layers: 1, heads: 2, context: 12), dtype: .float64, using: &frozen)
            var g = Generator(seed: seed)  // encoders differ until restored
            let lstm = try LSTMPromptEncoder(numVirtualTokens: 3, tokenDim: 6, hiddenSize: 3, dropout: 0.3, dtype: .float64, using: &g)
            let mlp = try MLPPromptEncoder(numVirtualTokens: 2, tokenDim: 6, hiddenSize: 5, dtype: .float64, using: &g)
            let model = try PromptedModel(model: gpt, encoders: [("a", lstm), ("b", mlp)])
            tuner = PromptTuner(model: model, optimizer: try Adam.adamW(learningRate: 0.05),
                                schedule: .cosine(warmupSteps: 2, totalSteps: 8), maxGradientNorm: 0.5,
                                generator: Generator(seed: seed &+ 1))
            var data = Generator(seed: 7)
            examples = try (0..<6).map { i in
                let tokens = (0..<(2 + i % 3)).map { _ in data.nextInt(in: 0..<8) }
                return try PromptExample.prepending(i % 2 == 0 ? 3 : 2, to: tokens, labels: tokens, task: i % 2 == 0 ? "a" : "b")
            }
        }

        func train(_ steps: Int) throws -> [Double] {
            try (0..<steps).map { _ in
                let order = tuner.generator.permutation(examples.count)
                let batch = try PromptBatch(order.prefix(3).map { examples[$0] })
                return try tuner.step(batch) { try $0.causalLMLoss() }.loss
            }
        }

        var bits: [UInt64] {
            (try? tuner.model.trainableParameters().flatMap { try $0.value.scalars(as: Double.self).map(\.bitPattern) }) ?? []
        }
    }

    @Test func resumeIsBitIdenticalToNeverStopping() throws {
        let dir = try ScratchDirectory()
        let straight = try Run(seed: 1)
        let all = try straight.train(8)

        let first = try Run(seed: 1)
        let head = try first.train(4)
        let url = dir.url.appendingPathComponent("run.safetensors")
        try first.tuner.save(to: url)
        let resumed = try Run(seed: 999)  // different initial encoders, optimizer empty, generator elsewhere
        #expect(resumed.bits != first.bits)
        try resumed.tuner.restore(from: url)
        #expect(resumed.tuner.completedSteps == 4 && resumed.bits == first.bits)
        let tail = try resumed.train(4)
        #expect((head + tail).map(\.bitPattern) == all.map(\.bitPattern), "losses")
        #expect(resumed.bits == straight.bits, "weights")
        #expect(resumed.tuner.generator == straight.tuner.generator)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["run.safetensors"])
    }

    @Test func checkpointsRecordTheArchitectureAndRefuseMismatches() throws {
        let dir = try ScratchDirectory()
        let run = try Run(seed: 3)
        _ = try run.train(2)
        let url = dir.url.appendingPathComponent("c.safetensors")
        try run.tuner.save(to: url)
        let c = try Checkpoint.read(from: url)
        #expect(c.step == 2 && c.tasks.map(\.name) == ["a", "b"] && c.schedule == .cosine(warmupSteps: 2, totalSteps: 8))
        let a = try c.state(of: "a")
        #expect(a.config == PromptEncoderConfig(kind: .lstm, numVirtualTokens: 3, tokenDim: 6, hiddenSize: 3, numLayers: 2, dropout: 0.3, dtype: .float64))
        #expect(a.optimizer?.kind == .adamw && (1...2).contains(a.optimizer?.steps["embedding.weight"] ?? 0) && a.generators.count == 1)
        let rebuilt = try c.makeEncoder(for: "b")
        #expect(try rebuilt.encode().doubles == run.tuner.model.encoder(for: "b").encode().doubles)

        // Mismatched architecture or optimizer settings are clear errors, and nothing is half-loaded.
        var g = Generator(seed: 4)
        let other = try PromptedModel(model: run.gpt, encoders: [
            ("a", try LSTMPromptEncoder(numVirtualTokens: 3, tokenDim: 6, hiddenSize: 4, dtype: .float64, using: &g)),
            ("b", try MLPPromptEncoder(numVirtualTokens: 2, tokenDim: 6, hiddenSize: 5, dtype: .float64, using: &g))])
        let before = try other.trainableParameters().flatMap(\.value.doubles)
        #expect(throws: NNError.self) { try PromptTuner(model: other, optimizer: try Adam.adamW()).restore(from: url) }
        #expect(try other.trainableParameters().flatMap(\.value.doubles) == before)
        let sameShape = try Run(seed: 5)
        let betaTuner = PromptTuner(model: sameShape.tuner.model, optimizer: try Adam.adamW(beta1: 0.8))
        #expect(throws: NNError.self) { try betaTuner.restore(from: url) }
        // A damaged file is a typed error, not a trap.
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0xFF
        bytes.removeLast(3)
        try bytes.write(to: url)
        #expect(throws: (any Error).self) { try Checkpoint.read(from: url) }
    }

    @Test func singleEncoderCheckpointRoundTrip() throws {
        let dir = try ScratchDirectory()
        var g = Generator(seed: 6)
        let scale = try ScalePromptEncoder(base: try Tensor.randn([2, 4], dtype: .float64, using: &g), using: &g)
        let url = dir.url.appendingPathComponent("s.safetensors")
        try Checkpoint(encoder: scale, task: "toy").write(to: url)
        let back = try Checkpoint.read(from: url).makeEncoder(for: "toy")
        #expect(try back is ScalePromptEncoder && back.encode().doubles == scale.encode().doubles)
    }
}

/// Export to PEFT's p-tuning adapter folder and import back.
@Suite struct PEFTAdapterTests {
    @Test func exportWritesPEFTsFilesAndImportRoundTrips() throws {
        let dir = try ScratchDirectory()
        var g = Generator(seed: 8)
        let enc = try MLPPromptEncoder(numVirtualTokens: 4, tokenDim: 6, hiddenSize: 3, using: &g)
        let folder = dir.url.appendingPathComponent("adapter")
        try PEFTAdapter.export(enc, to: folder, options: .init(taskType: "CAUSAL_LM", baseModel: "toy-gpt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["adapter_config.json", "adapter_model.safetensors"])
        let weights = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("adapter_model.safetensors"))
        #expect(weights.names == ["prompt_embeddings"] && weights.entry(named: "prompt_embeddings")?.shape == [4, 6])
        #expect(weights.entry(named: "prompt_embeddings")?.dtype == .f32)
        let config = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("adapter_config.json")))
        #expect(config["peft_type"]?.stringValue == "P_TUNING" && config["task_type"]?.stringValue == "CAUSAL_LM")
        #expect(config["num_virtual_tokens"]?.intValue == 4 && config["token_dim"]?.intValue == 6)
        #expect(config["num_transformer_submodules"]?.intValue == 1 && config["inference_mode"]?.boolValue == true)
        #expect(config["encoder_reparameterization_type"]?.stringValue == "MLP" && config["encoder_hidden_size"]?.intValue == 3)
        #expect(config["encoder_num_layers"]?.intValue == 2 && config["encoder_dropout"]?.doubleValue == 0)
        #expect(config["base_model_name_or_path"]?.stringValue == "toy-gpt")

        let imported = try PEFTAdapter.importEncoder(from: folder)
        #expect(imported.isInferenceOnly && imported.numVirtualTokens == 4)
        #expect(try imported.encode().scalars(as: Float.self) == enc.encode().scalars(as: Float.self))
        // Same outputs through a frozen model; the imported encoder cannot be trained.
        let gpt = try GPT(GPT.Config(vocabSize: 5, dim: 6, layers: 1, heads: 2, context: 8), using: &g)
        let batch = try PromptBatch([try PromptExample.prepending(4, to: [1, 2])])
        let original = try PromptedModel(model: gpt, encoder: enc)(batch).output.doubles
        let reloaded = try PromptedModel(model: gpt, encoder: imported)
        #expect(try reloaded(batch).output.doubles == original)
        #expect(try reloaded.trainableParameters().isEmpty)
        #expect(throws: NNError.self) { try SGD().update(imported.parameters, along: [try Tensor.zeros([4, 6])]) }
    }

    @Test func importRejectsForeignOrInconsistentFolders() throws {
        let dir = try ScratchDirectory()
        var g = Generator(seed: 9)
        let folder = dir.url.appendingPathComponent("a")
        let lstm = try LSTMPromptEncoder(numVirtualTokens: 2, tokenDim: 3, hiddenSize: 2, dropout: 0.5, dtype: .float64, using: &g)
        let generators = lstm.generators
        try PEFTAdapter.export(lstm, to: folder)
        #expect(lstm.isTraining && lstm.generators == generators, "export runs in evaluation mode and leaves the encoder as it was")
        lstm.isTraining = false
        let imported = try PEFTAdapter.importEncoder(from: folder)
        #expect(try imported.config.dtype == .float64 && imported.encode().doubles == lstm.encode().doubles)
        let configURL = folder.appendingPathComponent("adapter_config.json")
        let good = try Data(contentsOf: configURL)
        try Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "P_TUNING", with: "LORA").utf8).write(to: configURL)
        #expect(throws: NNError.self) { try PEFTAdapter.importEncoder(from: folder) }
        try Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"token_dim\": 3", with: "\"token_dim\": 4").utf8).write(to: configURL)
        #expect(throws: NNError.self) { try PEFTAdapter.importEncoder(from: folder) }
        #expect(throws: FileReadError.self) { try PEFTAdapter.importEncoder(from: dir.url.appendingPathComponent("missing")) }
    }
}

/// The frozen model: unchanged by training, and no gradient is ever computed or stored for its weights.
@Suite struct FrozenModelTests {
    @Test func trainingLeavesTheFrozenModelBitIdentical() throws {
        var g = Generator(seed: 10)
        let gpt = try GPT(GPT.Config(vocabSize: 6, dim: 8, layers: 2, heads: 2, context: 9), using: &g)
        let enc = try MLPPromptEncoder(numVirtualTokens: 3, tokenDim: 8, hiddenSize: 4, using: &g)
        let before = gpt.checksum(), encBefore = ParameterChecksum(enc.parameters)
        let tuner = PromptTuner(model: try PromptedModel(model: gpt, encoder: enc), optimizer: try Adam(learningRate: 0.01))
        let batch = try PromptBatch([try PromptExample.prepending(3, to: [1, 2, 3, 4], labels: [1, 2, 3, 4])])
        for _ in 0..<3 { try tuner.step(batch) { try $0.causalLMLoss() } }
        #expect(gpt.checksum() == before)
        #expect(ParameterChecksum(enc.parameters) != encBefore)
        #expect(gpt.parameters.allSatisfy { $0.isFrozen && $0.gradient == nil && !$0.value.requiresGrad })
        // One flipped bit changes the checksum.
        try gpt.lnF.bias?.assign(try Tensor(shape: [8], values: [0, 0, 0, 0, 0, 0, 0, 1e-30]))
        #expect(gpt.checksum() != before)
    }

    @Test func frozenWeightsCostNoGradientStorage() throws {
        var g = Generator(seed: 11)
        let gpt = try GPT(GPT.Config(vocabSize: 6, dim: 8, layers: 2, heads: 2, context: 9), dtype: .float64, using: &g)
        let enc = try MLPPromptEncoder(numVirtualTokens: 3, tokenDim: 8, hiddenSize: 4, dtype: .float64, using: &g)
        let model = try PromptedModel(model: gpt, encoder: enc)
        let batch = try PromptBatch([try PromptExample.prepending(3, to: [1, 2, 3], labels: [1, 2, 3])])
        func backwardBytes() throws -> BackwardReport {
            var report = BackwardReport()
            let params = enc.parameters.map(\.value) + gpt.parameters.filter { !$0.isFrozen }.map(\.value)
            _ = try Tensor.gradients(of: try model(batch).causalLMLoss(), wrt: params, report: &report)
            return report
        }
        let frozen = try backwardBytes()
        gpt.parameters.unfreezeAll()
        let trainable = try backwardBytes()
        let modelBytes = gpt.parameters.reduce(0) { $0 + $1.value.byteCount }
        #expect(trainable.gradientBytes - frozen.gradientBytes >= modelBytes, "\(frozen.gradientBytes) vs \(trainable.gradientBytes)")
        #expect(frozen.gradientKernels < trainable.gradientKernels)
    }
}
