import Testing
import PTuneCore
@testable import PTuneNN

/// Loss values and gradients against PyTorch 2.13 (float64), computed by `torch.nn.functional`.
@Suite struct LossTests {
    let logits = [1.0, -2.0, 0.5, 3.0, 0.2, 0.1, -0.3, 0.0, 2.0, 2.0, 2.0, -1.0]

    func close(_ a: [Double], _ b: [Double], _ tol: Double = 1e-15, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) { #expect(Swift.abs(x - y) <= tol * Swift.max(1, Swift.abs(y)), "\(x) vs \(y)", sourceLocation: sourceLocation) }
    }

    @Test func crossEntropyMatchesPyTorch() throws {
        let x = try Tensor(shape: [3, 4], values: logits, dtype: .float64).requiringGradient()
        let t = try Tensor(shape: [3], scalars: [Int64(3), -100, 1])
        let cases: [(Double, Double, [Double])] = [
            (0, 0.6586626111058524, [0.055276875180869614, 0.0027520735637918355, 0.03352711957030574, -0.09155606831496715, 0, 0, 0, 0,
                                     0.16394587188920764, -0.3360541281107924, 0.16394587188920764, 0.008162384332377044]),
            (0.2, 0.9711626111058524, [0.030276875180869613, -0.022247926436208165, 0.00852711957030574, -0.0165560683149672, 0, 0, 0, 0,
                                       0.13894587188920768, -0.26105412811079237, 0.13894587188920768, -0.016837615667622954]),
        ]
        for (smoothing, value, grad) in cases {
            let l = try Loss.crossEntropy(x, t, labelSmoothing: smoothing)
            close([try l.scalarValue()], [value])
            close(try Tensor.gradients(of: l, wrt: [x])[0].doubles, grad)
        }
        // float32 logits give the same value to float precision; all-ignored targets give NaN as PyTorch.
        let l32 = try Loss.crossEntropy(try x.detached().to(.float32), t)
        #expect(Swift.abs(try l32.scalarValue() - 0.6586626111058524) < 1e-6)
        #expect(try Loss.crossEntropy(x, try Tensor(shape: [3], scalars: [Int64(-100), -100, -100])).scalarValue().isNaN)
        #expect(throws: TensorError.self) { try Loss.crossEntropy(x, try Tensor(shape: [3], scalars: [Int64(4), 0, 0])) }
        #expect(throws: TensorError.self) { try Loss.crossEntropy(x, try Tensor(shape: [2], scalars: [Int64(1), 0])) }
        let perRow = try Loss.crossEntropy(x, t, reduction: .none).doubles
        #expect(perRow[1] == 0 && Swift.abs((perRow[0] + perRow[2]) / 2 - 0.6586626111058524) < 1e-15)
    }

    @Test func bceWithLogitsMatchesPyTorch() throws {
        let z = try Tensor(shape: [5], values: [0, 3, -2, 40, -40], dtype: .float64).requiringGradient()
        let y = try Tensor(shape: [5], values: [1, 0, 0.5, 1, 1], dtype: .float64)
        let l = try Loss.binaryCrossEntropyWithLogits(z, y)
        close([try l.scalarValue()], [8.973732508635333])
        close(try Tensor.gradients(of: l, wrt: [z])[0].doubles, [-0.1, 0.19051482536448666, -0.07615941559557649, 0, -0.2])
    }

    @Test func mseAndCausalShift() throws {
        let p = try Tensor(shape: [2, 2], values: [1, 2, 3, 4], dtype: .float64)
        #expect(try Loss.mse(p, try Tensor(shape: [1, 2], values: [1, 1], dtype: .float64)).scalarValue() == (0 + 1 + 4 + 9) / 4)
        #expect(try Loss.mse(p, try Tensor(shape: [2, 1], values: [1, 2], dtype: .float64), reduction: .none).doubles == [0, 1, 1, 4])
        #expect(try Loss.mse(p, try Tensor(scalar: 1, dtype: .float64), reduction: .sum).scalarValue() == 14)
        #expect(throws: TensorError.self) { try Loss.mse(p, try Tensor.zeros([3], dtype: .float64)) }
        // Position t predicts label t + 1; −100 is skipped; the last position predicts nothing.
        let logits = try Tensor(shape: [1, 3, 2], values: [0, 1, 2, 0, 5, 5], dtype: .float64)
        let labels = try Tensor(shape: [1, 3], scalars: [Int64(-100), 1, 0])
        let expected = try Loss.crossEntropy(try Tensor(shape: [2, 2], values: [0, 1, 2, 0], dtype: .float64),
                                             try Tensor(shape: [2], scalars: [Int64(1), 0]))
        #expect(try Loss.causalLM(logits: logits, labels: labels).scalarValue() == expected.scalarValue())
    }
}

/// Optimizer updates against PyTorch 2.13's `torch.optim` (three steps from p = [0.5, −1.25, 2] with fixed
/// gradients), schedules, clipping, and the refusal of frozen parameters.
@Suite struct OptimizerTests {
    let grads: [[Double]] = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.25, 0, -0.6]]

    func run(_ opt: Optimizer) throws -> [Double] {
        let p = try Parameter(try Tensor(shape: [3], values: [0.5, -1.25, 2], dtype: .float64), name: "p")
        for g in grads { try opt.update([p], along: [try Tensor(shape: [3], values: g, dtype: .float64)]) }
        return p.value.doubles
    }

    func close(_ a: [Double], _ b: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        for (x, y) in zip(a, b) { #expect(Swift.abs(x - y) <= 4e-16 * Swift.max(1, Swift.abs(y)), "\(a) vs \(b)", sourceLocation: sourceLocation) }
    }

    @Test func updatesMatchPyTorch() throws {
        close(try run(SGD(learningRate: 0.1)), [0.505, -1.28, 2.025])
        close(try run(SGD(learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)), [0.516143906495, -1.2746831702875, 1.95362508408])
        close(try run(SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)), [0.5224509619804999, -1.3067014492462499, 1.981536586512])
        close(try run(Adam(learningRate: 0.01)), [0.4959793874663799, -1.2478404897175932, 1.9851302413110195])
        close(try run(Adam(learningRate: 0.01, weightDecay: 0.1)), [0.4928278372366495, -1.240639341254494, 1.9785740039643804])
        close(try run(Adam.adamW(learningRate: 0.01)), [0.4958308428622051, -1.247467084900991, 1.9845330845362648])
        close(try run(Adam.adamW(learningRate: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.3)),
              [0.4597310494719377, -1.1884041708795021, 1.8452073265253854])
        #expect(throws: NNError.self) { try SGD(momentum: 0, nesterov: true) }
        #expect(throws: NNError.self) { try Adam(beta1: 1) }
    }

    @Test func frozenParametersAreRefused() throws {
        let p = try Parameter(try Tensor.ones([2]), name: "enc.w")
        p.freeze()
        #expect(!p.value.requiresGrad)
        for opt in [try SGD(learningRate: 0.1) as Optimizer, try Adam()] {
            #expect(throws: NNError.frozenParameter("enc.w")) { try opt.update([p], along: [try Tensor.ones([2])]) }
        }
        p.unfreeze()
        #expect(p.value.requiresGrad)
        try SGD(learningRate: 1).update([p], along: [try Tensor.ones([2])])
        #expect(p.value.doubles == [0, 0] && p.value.requiresGrad, "updates keep the parameter a trainable leaf")
        #expect(throws: NNError.self) { try SGD().update([p], along: [try Tensor.ones([3])]) }
        #expect(throws: NNError.self) { try SGD().update([p], along: []) }
    }

    @Test func schedulesAndClipping() throws {
        let linear = LRSchedule.linear(warmupSteps: 2, totalSteps: 6)
        #expect((0..<7).map { linear.factor(atStep: $0) } == [0, 0.5, 1, 0.75, 0.5, 0.25, 0])
        let cosine = LRSchedule.cosine(warmupSteps: 1, totalSteps: 5)
        #expect(cosine.factor(atStep: 0) == 0 && cosine.factor(atStep: 1) == 1)
        #expect(Swift.abs(cosine.factor(atStep: 3) - 0.5) < 1e-15 && cosine.factor(atStep: 5) < 1e-15)
        #expect(LRSchedule.constant.learningRate(base: 0.3, atStep: 99) == 0.3)
        #expect(LRSchedule.warmupConstant(warmupSteps: 4).factor(atStep: 1) == 0.25)
        var g = [try Tensor(shape: [2], values: [3, 4], dtype: .float64), try Tensor(shape: [1], values: [12], dtype: .float64)]
        #expect(try GradientClipping.clip(&g, maxNorm: 1) == 13)
        let clipped = g.flatMap(\.doubles)
        for (a, b) in zip(clipped, [0.23076921301775288, 0.3076922840236705, 0.9230768520710115]) { #expect(Swift.abs(a - b) < 1e-16) }
        var small = [try Tensor(shape: [1], values: [0.5], dtype: .float64)]
        #expect(try GradientClipping.clip(&small, maxNorm: 1) == 0.5 && small[0].doubles == [0.5])
    }
}
