import Testing
@testable import PTuneCore

/// The stage profile: forward stages timed where the layers measure them, each backward charged to the stage its
/// operation was recorded in, nothing remembered without a profile.
@Suite struct StageProfileTests {
    func leaf() throws -> Tensor {
        var g = Generator(seed: 1)
        return try Tensor.randn([4, 3], using: &g).requiringGradient(name: "x")
    }

    @Test func backwardIsChargedToTheStageThatRecorded() throws {
        let x = try leaf(), profile = StageProfile()
        let grads = try TensorContext.$stageProfile.withValue(profile) {
            let y = try StageProfile.measure("scaling") { try x * 3 }
            let loss = try y.sum()
            return try Tensor.gradients(of: loss, wrt: [x])
        }
        #expect(profile.stages(in: .forward).map(\.stage) == ["scaling"])
        let backward = Set(profile.stages(in: .backward).map(\.stage))
        #expect(backward == ["scaling", "sum", StageProfile.backwardOrderStage])
        #expect(profile.stages(in: .backward).allSatisfy { $0.calls == 1 && $0.seconds >= 0 })
        // The gradient is the same as without a profile.
        let plain = try Tensor.gradients(of: (x * 3).sum(), wrt: [x])
        #expect(grads[0].doubles == plain[0].doubles)
    }

    @Test func gradientSumsAreTheirOwnStage() throws {
        let x = try leaf(), profile = StageProfile()
        try TensorContext.$stageProfile.withValue(profile) {
            // x reaches the loss along two paths, so its gradient is a sum.
            let loss = try (x * 2 + x * 3).sum()
            _ = try Tensor.gradients(of: loss, wrt: [x])
        }
        #expect(profile.stages(in: .backward).contains { $0.stage == StageProfile.gradientSumStage })
        #expect(profile.stages(in: .forward).isEmpty, "no layer measured a stage")
    }

    @Test func operationsRecordedWithoutAProfileKeepNoStage() throws {
        let x = try leaf()
        let y = try StageProfile.measure("scaling") { try x * 3 }
        #expect(y.node?.stage == nil)
        let profile = StageProfile()
        try TensorContext.$stageProfile.withValue(profile) { _ = try Tensor.gradients(of: y.sum(), wrt: [x]) }
        #expect(Set(profile.stages(in: .backward).map(\.stage)) == ["mul_scalar", "sum", StageProfile.backwardOrderStage])
    }
}
