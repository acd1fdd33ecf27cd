import COpenBLAS
import CPTuneKernels
import Foundation
import PTuneCore
import PTuneModels

/// Where one p-tuning step of SmolLM2 (``LlamaStepBench``) spends its time, forward and backward apart: the same
/// review batches run once without and once with a ``StageProfile`` installed, the layers time their stages inside
/// the real step (the backward charges each gradient to the stage its operation was recorded in), and the groups are
/// printed beside the time the step's products take alone at the step's own shapes, by the faster of OpenBLAS
/// (called directly, its own threads) and ptune's own AVX-512 kernel on float32 matrices, so the table shows how
/// close the step comes to its GEMMs and where the rest goes.
enum LlamaStepProfile {
    /// The stage of the prompt encoder's forward.
    static let encoderStage = "prompt encoder"
    /// The stage of the two-way cross-entropy.
    static let lossStage = "loss"
    /// The stage of the optimizer's update.
    static let updateStage = "AdamW update"

    /// The groups of stages the breakdown prints, in order.
    enum Group: CaseIterable {
        case embedding, norms, attentionProjections, attention, mlpProjections, labelLogits, elementwise, bookkeeping,
             otherOps

        /// The row's label.
        var title: String {
            switch self {
            case .embedding: return "embedding + prompt encoder"
            case .norms: return "RMS norms"
            case .attentionProjections: return "QKV and O projections"
            case .attention: return "attention (scores, softmax, values)"
            case .mlpProjections: return "MLP projections (gate-up, down)"
            case .labelLogits: return "label-word logits + loss"
            case .elementwise: return "elementwise: SiLU gate, rotary, residual sums"
            case .bookkeeping: return "autodiff: graph order, gradient sums"
            case .otherOps: return "other recorded ops (row gathers, …)"
            }
        }
    }

    /// The group of `stage`: the products are told apart by the weight they multiply.
    static func group(of stage: String, attentionProducts: Set<String>, mlpProducts: Set<String>) -> Group {
        typealias N = StageProfile.StageName
        switch stage {
        case encoderStage, N.tokenEmbedding: return .embedding
        case N.rmsNorm: return .norms
        case N.attention: return .attention
        case N.labelLogits, lossStage: return .labelLogits
        case N.siluGate, N.rotary, N.residual: return .elementwise
        case StageProfile.backwardOrderStage, StageProfile.gradientSumStage: return .bookkeeping
        default:
            if attentionProducts.contains(stage) { return .attentionProjections }
            if mlpProducts.contains(stage) { return .mlpProjections }
            return .otherOps
        }
    }

    /// The breakdown over `batches` (each of 8 sequences), after two warm-up steps; with `details`, a second table
    /// lists every stage as timed.
    static func tables(_ model: DecoderModel, batches: [[[Int]]], details: Bool = false) throws -> [Table] {
        let encoder = try LlamaStepBench.Encoder(tokens: 10, dim: model.config.hiddenSize, hidden: 256, seed: 0)
        let labels = [0, 1, 0, 1, 1, 0, 1, 0]
        for b in batches.prefix(2) { _ = try LlamaStepBench.step(model, encoder, b, labels: labels) }
        let profile = StageProfile()
        var off = 0.0, on = (forward: 0.0, backward: 0.0, update: 0.0), faults = 0, gemm = GEMMAlone()
        _ = gemmAlone(model, rows: 10 + batches[0].reduce(0) { $0 + $1.count }, sequences: 8)
        for b in batches {
            gemm += gemmAlone(model, rows: 10 + b.reduce(0) { $0 + $1.count }, sequences: b.count)
            let f0 = minorFaults()
            let t = try LlamaStepBench.timedStep(model, encoder, b, labels: labels)
            faults += minorFaults() - f0
            off += t.forward + t.backward + t.update
            let p = try TensorContext.$stageProfile.withValue(profile) { try LlamaStepBench.timedStep(model, encoder, b, labels: labels) }
            on.forward += p.forward; on.backward += p.backward; on.update += p.update
        }
        let n = Double(batches.count)
        let rows = batches.map { 10 + $0.reduce(0) { $0 + $1.count } }
        let meanRows = Double(rows.reduce(0, +)) / n
        let stepFLOPs = batches.reduce(0.0) { $0 + 2 * model.labelLogitsFLOPs(virtualCount: 10, lengths: $1.map(\.count), labels: 2) } / n

        let w = model.weights
        let attentionProducts = Set(w.layers.flatMap { [$0.qkv.productStage, $0.attentionOutput.productStage] })
        let mlpProducts = Set(w.layers.flatMap { [$0.gateUp.productStage, $0.down.productStage] })
        var sums: [StageProfile.Pass: [Group: Double]] = [.forward: [:], .backward: [:]]
        var named: [StageProfile.Pass: Double] = [.forward: 0, .backward: 0]
        var others: [String] = []
        for s in profile.stages where s.stage != updateStage {
            let g = group(of: s.stage, attentionProducts: attentionProducts, mlpProducts: mlpProducts)
            sums[s.pass, default: [:]][g, default: 0] += s.seconds / n
            named[s.pass, default: 0] += s.seconds / n
            if g == .otherOps, !others.contains(s.stage) { others.append(s.stage) }
        }
        let update = profile.stages.first { $0.stage == updateStage }?.seconds ?? on.update
        let profiled = (on.forward + on.backward + on.update) / n
        var table = Table(title: "SmolLM2-135M p-tuning step, where the time goes (\(BLAS.threads) threads, weights in their blocks, \(batches.count) review batches of \(fmt(meanRows, 0)) rows on average; stages timed inside the step, each gradient charged to the stage that recorded its operation)",
                          header: ["stage", "forward ms", "backward ms", "step ms", "share of the step", "GEMM alone: fwd", "bwd ms"])
        func ms(_ s: Double) -> String { fmt(s * 1e3, 1) }
        func share(_ s: Double) -> String { fmt(100 * s / profiled, 1) + "%" }
        for g in Group.allCases {
            let f = sums[.forward]?[g] ?? 0, b = sums[.backward]?[g] ?? 0
            var alone = ["", ""]
            if g == .attentionProjections { alone = [ms(gemm.attentionForward / n), ms(gemm.attentionBackward / n)] }
            if g == .mlpProjections { alone = [ms(gemm.mlpForward / n), ms(gemm.mlpBackward / n)] }
            let title = g == .otherOps && !others.isEmpty ? "other recorded ops (\(others.joined(separator: ", ")))" : g.title
            table.add([title, ms(f), ms(b), ms(f + b), share(f + b)] + alone)
        }
        let restF = on.forward / n - (named[.forward] ?? 0), restB = on.backward / n - (named[.backward] ?? 0)
        table.add(["rest: tensor plumbing, allocation, copies (\(grouped(Double(faults) / n)) page faults per step)",
                   ms(restF), ms(restB), ms(restF + restB), share(restF + restB), "", ""])
        table.add(["AdamW update", "", "", ms(update / n), share(update / n), "", ""])
        table.add(["whole step, profiled (the shares' base)", ms(on.forward / n), ms(on.backward / n), ms(profiled), "100%",
                   ms((gemm.attentionForward + gemm.mlpForward) / n), ms((gemm.attentionBackward + gemm.mlpBackward) / n)])
        let step = off / n
        table.add(["whole step, profiler off", "", "", ms(step), share(step), ms(gemm.total / n), ""])
        let stepRate = stepFLOPs / step / 1e9, gemmRate = gemm.flops / gemm.total / 1e9
        table.add(["GFLOPS: the step (all FLOPs, profiler off) and its products alone (the faster GEMM for each)", "", "", fmt(stepRate),
                   fmt(100 * stepRate / gemmRate, 0) + "% of GEMM", fmt(gemmRate), ""])
        guard details else { return [table] }
        var each = Table(title: "the same steps, every stage as timed (ms per step)", header: ["stage", "pass", "ms", "calls per step"])
        for s in profile.stages {
            each.add([s.stage, s.pass == .forward ? "forward" : "backward", fmt(s.seconds / n * 1e3, 2), fmt(Double(s.calls) / n, 0)])
        }
        return [table, each]
    }

    /// The step's products with the frozen weights run alone on float32 matrices of the weights' shapes, each by
    /// OpenBLAS (called directly, on ``BLAS/threads`` threads) and by ptune's own kernel (``ownKernel``), the faster
    /// counted, one product as the step makes them: every
    /// block's forward `x · Wᵀ` and input gradient `g · W` over all `rows` packed rows, the last block's output
    /// projection and MLP over the `sequences` answer rows only. Seconds of each kind, and the FLOPs.
    struct GEMMAlone {
        var attentionForward = 0.0, attentionBackward = 0.0, mlpForward = 0.0, mlpBackward = 0.0, flops = 0.0
        var total: Double { attentionForward + attentionBackward + mlpForward + mlpBackward }

        static func += (a: inout GEMMAlone, b: GEMMAlone) {
            a.attentionForward += b.attentionForward; a.attentionBackward += b.attentionBackward
            a.mlpForward += b.mlpForward; a.mlpBackward += b.mlpBackward; a.flops += b.flops
        }
    }

    /// Runs the step's products once alone (see ``GEMMAlone``).
    static func gemmAlone(_ model: DecoderModel, rows: Int, sequences: Int) -> GEMMAlone {
        let c = model.config, d = c.hiddenSize, f = c.feedForwardSize, q = c.heads * c.headDim
        let widest = Swift.max(2 * f, c.qkvWidth, d, q)
        let a = [Float](repeating: 0.01, count: rows * widest), b = [Float](repeating: 0.02, count: widest * widest)
        var out = [Float](repeating: 0, count: rows * widest)
        var result = GEMMAlone(), flops = 0.0
        // A weight [n, k] on m rows: the forward m × n × k, the input gradient m × k × n.
        func product(_ m: Int, _ n: Int, _ k: Int, into time: inout Double, backward: Bool) {
            let t0 = Clock.now()
            BLAS.withOpenBLASThreading {
                if backward {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(k), Int32(n), 1, a, Int32(n), b, Int32(k), 0, &out, Int32(k))
                } else {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, &out, Int32(n))
                }
            }
            let openBLAS = Clock.now() - t0
            let own = out.withUnsafeMutableBufferPointer { o in ownKernel(m, n, k, a: a, b: b, out: o, backward: backward) }
            time += own.map { Swift.min($0, openBLAS) } ?? openBLAS
            flops += 2 * Double(m * n * k)
        }
        do {
            for backward in [false, true] {
                for l in 0..<c.layers {
                    let answer = l == c.layers - 1 ? sequences : rows
                    if backward {
                        product(rows, c.qkvWidth, d, into: &result.attentionBackward, backward: true)
                        product(answer, d, q, into: &result.attentionBackward, backward: true)
                        product(answer, 2 * f, d, into: &result.mlpBackward, backward: true)
                        product(answer, d, f, into: &result.mlpBackward, backward: true)
                    } else {
                        product(rows, c.qkvWidth, d, into: &result.attentionForward, backward: false)
                        product(answer, d, q, into: &result.attentionForward, backward: false)
                        product(answer, 2 * f, d, into: &result.mlpForward, backward: false)
                        product(answer, d, f, into: &result.mlpForward, backward: false)
                    }
                }
            }
        }
        result.flops = flops
        return result
    }

    /// Seconds for one product of ``gemmAlone(_:rows:sequences:)`` by ptune's own float32 kernel (`ptk_gemm_nt` for
    /// the forward, `ptk_gemm_nn` for the input gradient), split over the threads and cut into cache-sized weight
    /// tiles as the quantized tiled products do it, without their decoding; nil below the AVX-512 level, which has
    /// no such kernel. The step's products run on it at that level, so "the GEMM" of the comparison is whichever of
    /// it and OpenBLAS is faster on each shape.
    static func ownKernel(_ m: Int, _ n: Int, _ k: Int, a: [Float], b: [Float], out: UnsafeMutableBufferPointer<Float>,
                          backward: Bool) -> Double? {
        let level = KernelLevel.detected
        guard level >= .avx512VNNI, let o = out.baseAddress else { return nil }
        let tile = Swift.max(16, Swift.min(256, 65_536 / Swift.max(k, 1)) / 16 * 16)
        let t0 = Clock.now()
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let x = pa.baseAddress, let w = pb.baseAddress else { return }
                if backward {
                    // gx[m, k] = g[m, n] · W[n, k]: the columns split over the threads, the rows run down in tiles.
                    Parallel.forChunks((k + 15) / 16, minimumChunk: 1) { units in
                        let c0 = units.lowerBound * 16, width = Swift.min(k, units.upperBound * 16) - c0
                        let rowsPerTile = Swift.max(8, Swift.min(256, 65_536 / Swift.max(width, 1)) / 8 * 8)
                        var r0 = 0
                        while r0 < n {
                            let r1 = Swift.min(n, r0 + rowsPerTile)
                            _ = ptk_gemm_nn(Int32(level.rawValue), x + r0, n, m, r1 - r0, w + r0 * k + c0, k, width,
                                            o + c0, k, r0 == 0 ? 0 : 1)
                            r0 = r1
                        }
                    }
                } else {
                    // y[m, n] = x[m, k] · W[n, k]ᵀ: the weight's rows split over the threads, in tiles.
                    Parallel.forChunks((n + 15) / 16, minimumChunk: 1) { units in
                        let panels = UnsafeMutablePointer<Float>.allocate(capacity: tile * k)
                        defer { panels.deallocate() }
                        var r0 = units.lowerBound * 16
                        let hi = Swift.min(n, units.upperBound * 16)
                        while r0 < hi {
                            let r1 = Swift.min(hi, r0 + tile)
                            _ = ptk_gemm_nt(Int32(level.rawValue), x, k, m, k, w + r0 * k, k, r1 - r0, panels, o + r0, n, 0)
                            r0 = r1
                        }
                    }
                }
            }
        }
        return Clock.now() - t0
    }

    /// Minor page faults of this process so far.
    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }
}
