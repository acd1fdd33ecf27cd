import PTuneCore

/// How a batch of sequences is laid out as the rows of one `[rows, d]` matrix for the decoder forward: first an
/// optional prefix shared by every sequence (virtual tokens: computed once, not once per sequence), then each
/// sequence's own rows, one after another, with no padding. Linear layers run on all rows at once; attention runs
/// per sequence (each sequence sees the prefix, then its own rows, causally).
///
/// Positions count from 0 at the first prefix row, so a sequence's first own token sits at position
/// `prefixLength` — the same as prepending the prefix to every sequence (PEFT's prompt tuning).
public struct DecoderPacking: Sendable, Equatable {
    /// Rows shared by every sequence, at the start.
    public let prefixLength: Int
    /// Each sequence's own row count.
    public let lengths: [Int]
    /// The first row of each sequence.
    public let starts: [Int]
    /// The rotary position of every row.
    public let positions: [Int]
    /// The attention segments: the prefix (if any), then one per sequence.
    public let segments: [AttentionSegment]

    /// Packs sequences of `lengths` rows after `prefixLength` shared rows. Throws for negative lengths, for no rows at
    /// all, or for an empty sequence without a prefix (it would have no position to read an output from).
    public init(prefixLength: Int = 0, lengths: [Int]) throws {
        guard prefixLength >= 0, lengths.allSatisfy({ $0 >= 0 }) else {
            throw DecoderError.badInput("sequence lengths must be non-negative, got prefix \(prefixLength) and \(lengths)")
        }
        guard prefixLength > 0 || lengths.allSatisfy({ $0 > 0 }) else {
            throw DecoderError.badInput("an empty sequence needs a prefix to attend to")
        }
        guard prefixLength + lengths.reduce(0, +) > 0 else { throw DecoderError.badInput("no rows to run") }
        self.prefixLength = prefixLength
        self.lengths = lengths
        var starts: [Int] = [], positions = Array(0..<prefixLength)
        var segments: [AttentionSegment] = prefixLength > 0 ? [AttentionSegment(queries: 0..<prefixLength, keys: [0..<prefixLength])] : []
        var row = prefixLength
        for n in lengths {
            starts.append(row)
            positions.append(contentsOf: prefixLength..<(prefixLength + n))
            if n > 0 {
                let own = row..<(row + n)
                segments.append(AttentionSegment(queries: own, keys: prefixLength > 0 ? [0..<prefixLength, own] : [own]))
            }
            row += n
        }
        self.starts = starts
        self.positions = positions
        self.segments = segments
    }

    /// All rows: prefix plus every sequence.
    public var rowCount: Int { positions.count }
    /// The number of sequences.
    public var sequenceCount: Int { lengths.count }

    /// The rows of sequence `i` (without the prefix).
    public func rows(ofSequence i: Int) throws -> Range<Int> {
        guard i >= 0, i < lengths.count else { throw DecoderError.badInput("sequence \(i) is outside 0..<\(lengths.count)") }
        return starts[i]..<(starts[i] + lengths[i])
    }

    /// The last row sequence `i` sees: its own last row, or the prefix's last row if it has none of its own.
    public func lastRow(ofSequence i: Int) throws -> Int {
        let r = try rows(ofSequence: i)
        return r.isEmpty ? prefixLength - 1 : r.upperBound - 1
    }

    /// The last row of every sequence: where a next-token prediction is read.
    public func lastRows() throws -> [Int] { try (0..<lengths.count).map { try lastRow(ofSequence: $0) } }

    /// Attention segments in which only `rows` (distinct, in increasing order) query, each seeing what it sees in
    /// the full pass: the prefix and its own sequence up to itself. Used to compute the last block for output rows
    /// only.
    func segments(queryingOnly rows: [Int]) throws -> [AttentionSegment] {
        try rows.map { r in
            guard r >= 0, r < rowCount else { throw DecoderError.badInput("row \(r) is outside 0..<\(rowCount)") }
            if r < prefixLength { return AttentionSegment(queries: r..<(r + 1), keys: [0..<(r + 1)]) }
            // The sequence holding row r: the last start ≤ r among non-empty sequences.
            var lo = 0, hi = starts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if starts[mid] <= r { lo = mid } else { hi = mid - 1 }
            }
            let own = starts[lo]..<(r + 1)
            return AttentionSegment(queries: r..<(r + 1), keys: prefixLength > 0 ? [0..<prefixLength, own] : [own])
        }
    }
}
