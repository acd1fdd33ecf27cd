import Foundation
import Testing
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
        #expect(r.listing().count == 2 && r.listing().allSatisfy { $0.contains("not fetched (run scripts/fetch-models)") })
        for name in ["smollm2-135m", "minilm-l6"] {
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
            #expect(e == .unknownModel("gpt-5", known: ["smollm2-135m", "minilm-l6"]))
            #expect(e.description.contains("'smollm2-135m', 'minilm-l6'"))
        }
        #expect(throws: FileReadError.self) { try r.locate(home + "/absent.gguf") }
        try FileManager.default.createDirectory(atPath: home + "/dir.gguf", withIntermediateDirectories: true)
        #expect(throws: FileReadError.self) { try r.locate(home + "/dir.gguf") }
        #expect(throws: ModelError.self) { try r.locate(home + "/weights.bin") }
    }
}
