import PTuneCore

/// The rotary tables of one forward pass: every row's position turned into cosines and sines once per
/// ``PTuneCore/RotaryEncoding`` the layers use (Gemma 3's sliding-window and global layers use two bases; most models
/// one), shared by every layer.
public struct RotaryTables: Sendable {
    /// The position of every row.
    public let positions: [Int]
    /// One table per distinct encoding.
    public let tables: [RotaryTable]

    /// The tables of `positions` under each of `encodings` (repeats computed once); throws for a negative position.
    public init(positions: [Int], encodings: [RotaryEncoding]) throws {
        var seen: [RotaryEncoding] = []
        for e in encodings where !seen.contains(e) { seen.append(e) }
        self.positions = positions
        tables = try seen.map { try RotaryTable(positions: positions, encoding: $0) }
    }

    /// One table.
    public init(_ table: RotaryTable) {
        positions = table.positions
        tables = [table]
    }

    /// The table of `encoding`, or an error when the pass did not tabulate it.
    public func table(for encoding: RotaryEncoding) throws -> RotaryTable {
        guard let t = tables.first(where: { $0.encoding == encoding }) else {
            throw NNError.invalidArgument("attention", "no rotary table for head width \(encoding.headDim), base \(encoding.base) in this pass")
        }
        return t
    }
}
