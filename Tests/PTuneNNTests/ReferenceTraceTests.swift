import Foundation
import Testing
import PTuneCore
@testable import PTuneNN
import PTuneWorkloads

/// The three shared reference workloads, rebuilt from the baselines' exact initial state in float64: every traced
/// loss must match the numpy/PyTorch trace (W1 to 1e-12 relative, W2 and W3 to 1e-6).
@Suite struct ReferenceTraceTests {
    func expectTrace(_ run: WorkloadRun, _ expected: [Int: Double], tolerance: Double,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!expected.isEmpty, sourceLocation: sourceLocation)
        for (step, want) in expected.sorted(by: { $0.key < $1.key }) {
            let got = run.trace[step] ?? .nan
            let rel = Swift.abs(got - want) / Swift.abs(want)
            #expect(rel <= tolerance, "step \(step): ptune \(got) vs baseline \(want) (relative \(rel))", sourceLocation: sourceLocation)
        }
    }

    @Test func w1SeedToyMatchesNumpyTo1e12() throws {
        let (tensors, trace) = try Fixtures.w1()
        let w = try SeedToyWorkload(tensors)
        let run = try w.run(steps: (trace.keys.max() ?? 0) + 1, traceAt: Set(trace.keys))
        expectTrace(run, trace, tolerance: 1e-12)
        #expect(run.gradientBytesPerStep > 0)
    }

    /// Both ways of running the prompt: once per batch (the default) and written out in every sequence.
    @Test(arguments: [true, false]) func w2MLPClassifierMatchesPyTorchTo1e6(sharedPrefix: Bool) throws {
        let (tensors, trace) = try Fixtures.safetensors("w2")
        let w = try MLPClassifyWorkload(tensors, sharedPrefix: sharedPrefix)
        let run = try w.run(steps: (trace.keys.max() ?? 0) + 1, traceAt: Set(trace.keys))
        expectTrace(run, trace, tolerance: 1e-6)
    }

    @Test(arguments: [true, false]) func w3TinyGPTMatchesPyTorchTo1e6(sharedPrefix: Bool) throws {
        let (tensors, trace) = try Fixtures.safetensors("w3")
        let w = try TinyGPTWorkload(tensors, sharedPrefix: sharedPrefix)
        let run = try w.run(steps: (trace.keys.max() ?? 0) + 1, traceAt: Set(trace.keys))
        expectTrace(run, trace, tolerance: 1e-6)
    }
}
