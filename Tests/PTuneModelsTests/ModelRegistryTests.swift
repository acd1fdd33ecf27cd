import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

@Suite("model registry")
struct ModelRegistryTests {
    static func tempHome() throws -> String {
        let dir = NSTemporaryDirectory() + "ptune-registry-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("the cache is $PTUNE_HOME/models, ~/.cache/ptune/models by default")
    func home() {
        #expect(ModelRegistry(environment: ["PTUNE_HOME": "/x/y"]).modelsDirectory == "/x/y/models")
        #expect(ModelRegistry(environment: [:]).modelsDirectory == NSHomeDirectory() + "/.cache/ptune/models")
        #expect(ModelRegistry(home: "/z", environment: ["PTUNE_HOME": "/x"]).home == "/z")
    }

    @Test("a known model that is not fetched is an error naming scripts/fetch-models")
    func notFetched() throws {
        let r = ModelRegistry(home: try ModelRegistryTests.tempHome())
        #expect(r.listing().count == 3 && r.listing().allSatisfy { $0.contains("not fetched (run scripts/fetch-models)") })
        for name in ["smollm2-135m", "minilm-l6", "gemma3-270m"] {
            #expect(throws: ModelError.self) { try r.locate(name) }
            do { _ = try r.locate(name) } catch {
                #expect("\(error)".contains("run scripts/fetch-models"), "\(error)")
                #expect("\(error)".contains(name))
            }
        }
    }

    @Test("known names and paths resolve; unknown names and formats are clear errors")
    func locate() throws {
        let home = try ModelRegistryTests.tempHome()
        let r = ModelRegistry(home: home)
        try FileManager.default.createDirectory(atPath: home + "/models/minilm-l6", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: home + "/models/minilm-l6/model.safetensors", contents: Data())
        #expect(try r.locate("minilm-l6") == ModelLocation(request: "minilm-l6", file: home + "/models/minilm-l6/model.safetensors", format: .safetensors))
        FileManager.default.createFile(atPath: home + "/m.GGUF", contents: Data())
        #expect(try r.locate(home + "/m.GGUF").format == .gguf)
        do { _ = try r.locate("gpt-5"); Issue.record("expected an error") } catch let e as ModelError {
            #expect(e == .unknownModel("gpt-5", known: ["smollm2-135m", "minilm-l6", "gemma3-270m"]))
            #expect(e.description.contains("'smollm2-135m', 'minilm-l6', 'gemma3-270m'"))
        }
        #expect(throws: FileReadError.self) { try r.locate(home + "/absent.gguf") }
        try FileManager.default.createDirectory(atPath: home + "/dir.gguf", withIntermediateDirectories: true)
        // A folder is a Hugging Face model folder, whatever its name.
        #expect(try r.locate(home + "/dir.gguf").format == .folder)
        #expect(throws: FileReadError.self) { try r.locate(home + "/weights.bin") }
        FileManager.default.createFile(atPath: home + "/weights.bin", contents: Data())
        #expect(throws: ModelError.self) { try r.locate(home + "/weights.bin") }
    }
}
@Suite("model registry loading")
struct ModelRegistryLoadTests {
    @Test("a .safetensors path loads by the config.json beside it; bad files are located errors")
    func loadByPath() throws {
        let home = try ModelRegistryTests.tempHome()
        let r = ModelRegistry(home: home)
        // A tiny BERT written with the safetensors codec.
        let tiny = try BERTModelTests.tiny(.float32)
        var state: [String: Tensor] = [:]
        for p in tiny.parameters { state[p.name] = p.value }
        try SafeTensors.write(state, to: URL(fileURLWithPath: home + "/tiny.safetensors"))
        #expect(throws: ModelError.self) { try r.load(home + "/tiny.safetensors") }  // no config.json yet
        let config = #"{"model_type": "bert", "vocab_size": 12, "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}"#
        FileManager.default.createFile(atPath: home + "/config.json", contents: Data(config.utf8))
        let m = try r.load(home + "/tiny.safetensors")
        #expect(m.architecture == "bert" && m.parameters.allSatisfy(\.isFrozen))
        #expect(try r.load(home + "/tiny.safetensors", frozen: false).parameters.allSatisfy { !$0.isFrozen })
        FileManager.default.createFile(atPath: home + "/bad.safetensors", contents: Data([1, 2, 3]))
        do { _ = try r.load(home + "/bad.safetensors"); Issue.record("expected an error") } catch let e as ModelError {
            #expect(e.description.hasPrefix(home + "/bad.safetensors: "), "\(e)")
        }
        FileManager.default.createFile(atPath: home + "/config.json", contents: Data(#"{"model_type": "t5"}"#.utf8))
        #expect(throws: ModelError.unsupportedArchitecture("t5", file: home + "/config.json")) { try r.load(home + "/tiny.safetensors") }
    }

    @Test("a GGUF of an architecture without an implementation is an error naming it")
    func unsupportedGGUF() throws {
        let home = try ModelRegistryTests.tempHome()
        var b = GGUFBuilder()
        b.add("general.architecture", .string("mamba"))
        FileManager.default.createFile(atPath: home + "/m.gguf", contents: Data(b.build()))
        #expect(throws: ModelError.unsupportedArchitecture("mamba", file: home + "/m.gguf")) { try ModelRegistry(home: home).load(home + "/m.gguf") }
        FileManager.default.createFile(atPath: home + "/t.gguf", contents: Data([0x47, 0x47]))
        #expect(throws: GGUFError.self) { try ModelRegistry(home: home).load(home + "/t.gguf") }
    }
}
