import Testing
@testable import PTuneCore

/// Binary16 storage (a float16 KV cache): the F16C conversions and the portable ones give the same bit patterns as
/// ``HalfPrecision``'s (round to nearest even) on every kind of value — tails past a multiple of eight included —
/// and rows come back exactly as their rounded values.
@Suite struct HalfRowsTests {
    static let values: [Float] = {
        var g = Generator(seed: 9)
        var v: [Float] = [0, -0, 1, -1, 65504, 65520, -65520, 1e-8, -1e-8, 6.1e-5, 5.96e-8, 2.98e-8, 1e30, .infinity,
                          -.infinity, 0.1, 1.0009765625, 1.00048828125, 1.000732421875, 2049, 2051]
        v += (0..<101).map { _ in Float(g.nextNormal() * 3) }
        v += (0..<17).map { i in Float(i) * 1e-6 - 8e-6 }
        return v
    }()

    @Test func conversionsRoundToNearestEvenAtEveryLevel() {
        let want = Self.values.map(HalfPrecision.half(fromFloat:))
        for level in KernelLevel.available {
            let out = HalfRows.halves(Self.values, level: level)
            #expect(out == want, "\(level)")
            let back = HalfRows.floats(out, level: level)
            #expect(back.map(\.bitPattern) == want.map { HalfPrecision.float(fromHalf: $0).bitPattern }, "\(level)")
        }
        for level in KernelLevel.available {
            let nan = HalfRows.halves([Float](repeating: .nan, count: 9), level: level)
            #expect(nan.allSatisfy { $0 & 0x7C00 == 0x7C00 && $0 & 0x3FF != 0 }, "\(level)")
        }
    }

    @Test func rowsHoldTheirRoundedValues() throws {
        var rows = try HalfRows(rows: 7, columns: 5)
        #expect(rows.byteCount == 70)
        let x = try Tensor(shape: [3, 5], scalars: Array(Self.values[0..<15]))
        try rows.write(x, at: 2)
        let back = try rows.floats([2..<5, 0..<1])
        #expect(back.shape == [4, 5])
        let want = Self.values[0..<15].map { HalfPrecision.float(fromHalf: HalfPrecision.half(fromFloat: $0)) } + [0, 0, 0, 0, 0]
        #expect(try back.scalars(as: Float.self).map(\.bitPattern) == want.map(\.bitPattern))
        // A copy keeps its values when the original is written (copy on write).
        let copy = rows
        try rows.write(try Tensor.zeros([1, 5]), at: 2)
        #expect(try copy.floats([2..<3]).scalars(as: Float.self).map(\.bitPattern) == Array(want[0..<5]).map(\.bitPattern))
        #expect(throws: TensorError.self) { try rows.write(x, at: 5) }
        #expect(throws: TensorError.self) { try rows.floats([6..<8]) }
        #expect(throws: TensorError.self) { try HalfRows(rows: 2, columns: 0) }
    }
}
