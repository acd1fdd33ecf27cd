import Foundation
import PTuneCore

func now() -> Double { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }
var g = Generator(seed: 0)
let w = try Tensor.randn([4, 3], dtype: .float64, using: &g)
let v0 = try Tensor.randn([2, 4], dtype: .float64, using: &g)
var p = try Tensor.randn([2, 4], dtype: .float64, using: &g).requiringGradient()
let x = try Tensor.randn([1, 4], dtype: .float64, using: &g)
let t = try Tensor.randn([1, 3], dtype: .float64, using: &g)
let steps = Int(CommandLine.arguments.dropFirst().first ?? "100000") ?? 100000
var loss = 0.0
let t0 = now()
for _ in 0..<steps {
    let z = try Tensor.concat([v0 * p, x], axis: 0)
    let l = try (Tensor.matmul(z, w) - t).square().mean()
    let gr = try Tensor.gradients(of: l, wrt: [p])[0]
    try p.addInPlace(gr, scaledBy: -0.01)
    loss = try l.scalarValue()
}
let dt = now() - t0
print("toy: \(Double(steps) / dt) steps/s loss \(loss)")
