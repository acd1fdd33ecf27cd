import Foundation
import Synchronization
import Testing
@testable import PTuneCore

/// The worker pool and the products split over it: every part runs exactly once, nested and concurrent regions
/// fall back to the calling thread, and split products equal the plain loops for every transpose and shape.
@Suite struct ParallelTests {
    @Test func everyPartRunsOnceInEveryRegion() {
        let pool = WorkerPool.shared
        for parts in [2, 3, 7, 64, 1000] {
            // Part i alone writes slot i, and a region returns only after all its parts: no two threads share a slot.
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
            defer { counts.deallocate() }
            counts.initialize(repeating: 0)
            let slots = Slots(base: counts.baseAddress!)
            for _ in 0..<50 { pool.run(parts, threads: 2) { slots.base[$0] += 1 } }
            #expect(counts.allSatisfy { $0 == 50 }, "\(parts) parts")
        }
    }

    @Test func nestedAndConcurrentRegionsRunOnTheCallingThread() async {
        let total = Atomic<Int>(0)
        WorkerPool.shared.run(4, threads: 2) { _ in
            WorkerPool.shared.run(5, threads: 2) { _ in total.add(1, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 20)
        // Several threads at once: one gets the workers, the others run their parts themselves; all complete.
        let sums = await withTaskGroup(of: Int.self) { group in
            for t in 0..<6 {
                group.addTask {
                    let acc = Atomic<Int>(0)
                    for _ in 0..<200 { WorkerPool.shared.run(8, threads: 2) { acc.add($0 + t, ordering: .relaxed) } }
                    return acc.load(ordering: .relaxed)
                }
            }
            var out: [Int] = []
            for await s in group { out.append(s) }
            return out.sorted()
        }
        #expect(sums == (0..<6).map { 200 * (28 + 8 * $0) })
    }

    @Test func splitProductsEqualThePlainLoops() throws {
        let before = BLAS.threads
        BLAS.setThreads(2)
        defer { BLAS.setThreads(before) }
        var g = Generator(seed: 5)
        // Tall (split by rows), wide (split by columns), an odd row count, and one just above the split threshold.
        for (m, n, k) in [(300, 40, 50), (12, 500, 40), (129, 129, 17), (64, 64, 33)] {
            for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                let a = try Tensor.randn(ta ? [k, m] : [m, k], dtype: .float64, using: &g)
                let b = try Tensor.randn(tb ? [n, k] : [k, n], dtype: .float64, using: &g)
                var got = [Double](repeating: 7, count: m * n), want = got
                let pa = a.doubles, pb = b.doubles
                got.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(Double.self, transA: ta, transB: tb, m: m, n: n, k: k, a: pa, lda: ta ? m : k, b: pb,
                              ldb: tb ? k : n, beta: 0.5, c: c.baseAddress!, ldc: n)
                }
                want.withUnsafeMutableBufferPointer { c in
                    BLAS.naive(transA: ta, transB: tb, m: m, n: n, k: k, a: pa, lda: ta ? m : k, b: pb,
                               ldb: tb ? k : n, beta: 0.5, c: c.baseAddress!, ldc: n)
                }
                let err = zip(got, want).map { Swift.abs($0 - $1) }.max() ?? 0
                #expect(err < 1e-11, "\(m)×\(n)×\(k) transA \(ta) transB \(tb): \(err)")
            }
        }
    }

    @Test func splitMatrixVectorProductsEqualThePlainSums() throws {
        let before = BLAS.threads
        BLAS.setThreads(2)
        defer { BLAS.setThreads(before) }
        var g = Generator(seed: 6)
        for (rows, cols) in [(700, 130), (130, 700), (257, 255)] {
            let a = try Tensor.randn([rows, cols], dtype: .float64, using: &g).doubles
            for transpose in [false, true] {
                let xs = try Tensor.randn([transpose ? rows : cols], dtype: .float64, using: &g).doubles
                let outputs = transpose ? cols : rows
                var got = [Double](repeating: 3, count: outputs)
                got.withUnsafeMutableBufferPointer { y in
                    BLAS.gemv(Double.self, transpose: transpose, rows: rows, cols: cols, a: a, x: xs, beta: 0.5, y: y.baseAddress!)
                }
                let want = (0..<outputs).map { o in
                    1.5 + (0..<xs.count).reduce(0.0) { $0 + (transpose ? a[$1 * cols + o] : a[o * cols + $1]) * xs[$1] }
                }
                let err = zip(got, want).map { Swift.abs($0 - $1) }.max() ?? 0
                #expect(err < 1e-11, "\(rows)×\(cols) transpose \(transpose): \(err)")
            }
        }
    }
}

/// Sizes past OpenBLAS's 32-bit integers: a product whose leading dimension does not fit an Int32 (as a raised element
/// limit allows) takes the plain loops instead of trapping, with the same result. One row keeps the memory small: the
/// far rows are never read.
@Suite struct WideProductTests {
    @Test func leadingDimensionsPastInt32TakeThePlainLoops() {
        let wide = Int(Int32.max) + 9
        let a: [Double] = [1, 2, 3], bT: [Double] = [4, 5, 6, -1, 0, 2]   // A: 1×3 (row stride `wide`), Bᵀ: 2×3
        var c: [Double] = [10, 20]
        a.withUnsafeBufferPointer { pa in
            bT.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                    BLAS.single(Double.self, transA: false, transB: true, m: 1, n: 2, k: 3, a: pa, lda: wide, b: pb, ldb: 3,
                                beta: 0.5, c: pc, ldc: wide)
                }
            }
        }
        #expect(c == [5 + 32, 10 + 5])
        var y: [Float] = [1]
        let row: [Float] = [1, 2, 3], x: [Float] = [2, 2, 2]
        row.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    guard let pa = pa.baseAddress, let px = px.baseAddress, let py = py.baseAddress else { return }
                    BLAS.single(Float.self, transpose: false, rows: 1, cols: 3, a: pa, lda: wide, x: px, beta: 2, y: py)
                }
            }
        }
        #expect(y == [2 + 12])
    }
}

private struct Slots: @unchecked Sendable { let base: UnsafeMutablePointer<Int> }
