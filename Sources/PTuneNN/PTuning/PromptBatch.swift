import PTuneCore

/// Which side of a shorter sequence gets padding.
public enum PaddingSide: String, Sendable {
    /// Pad after the sequence (PEFT's p-tuning: positions start at 0 for every example).
    case right
    /// Pad before it.
    case left
}

/// Examples collated for one forward pass: every sequence padded to the longest, with the attention mask, the labels
/// over the full layout (−100 at virtual tokens and padding) and the real tokens' ids and positions.
public struct PromptBatch: Sendable {
    /// Where one position's input comes from.
    enum Source: Sendable, Equatable {
        /// Virtual token `index` of the encoder of `tasks[task]`.
        case virtual(task: Int, index: Int)
        /// Real token `index` of the example (row `index` of its real-token embeddings).
        case real(Int)
        /// Padding.
        case pad
    }

    /// B
    public let batchSize: Int
    /// T, the padded length of the full layout (virtual and real tokens).
    public let length: Int
    /// The distinct tasks of the batch, in order of first appearance.
    public let tasks: [String]
    /// Each example's task, as an index into ``tasks``.
    public let taskOfExample: [Int]
    /// The real tokens `[B, R]` (int64), R the most real tokens of any example, padded with the pad id.
    public let realTokens: Tensor
    /// How many real tokens each example has.
    public let realCounts: [Int]
    /// The position in `0..<T` of each example's real tokens.
    public let realPositions: [[Int]]
    /// `[B, T]` int64: 1 at virtual and real positions, 0 at padding.
    public let attentionMask: Tensor
    /// `[B, T]` int64: each real token's label, −100 at virtual positions and padding.
    public let labels: Tensor
    /// Whether the attention mask has any zero.
    public let hasPadding: Bool
    let sources: [Source]
    /// The largest virtual index each task's examples use (−1 when none).
    let maxVirtualIndex: [Int]
    /// The number of virtual positions of each example.
    let virtualCounts: [Int]
    /// The number of virtual positions every example has when the batch is PEFT's layout — one task, each example
    /// virtual tokens 0..<n first then its real tokens, no padding — else nil.
    let prefixLength: Int?

    /// Collates `examples` (at least one), padding with `padToken` on `padding`'s side.
    public init(_ examples: [PromptExample], padToken: Int = 0, padding: PaddingSide = .right) throws {
        guard !examples.isEmpty else { throw NNError.invalidBatch("a batch needs at least one example") }
        var taskNames: [String] = []
        var taskIndex: [String: Int] = [:]
        var exampleTask: [Int] = []
        for e in examples {
            if let i = taskIndex[e.task] { exampleTask.append(i); continue }
            taskIndex[e.task] = taskNames.count
            exampleTask.append(taskNames.count)
            taskNames.append(e.task)
        }
        let b = examples.count
        let t = examples.map(\.items.count).max() ?? 0
        let counts = examples.map { $0.realTokens.count }
        let r = Swift.max(1, counts.max() ?? 0)
        var tokenIds = [Int64](repeating: Int64(padToken), count: b * r)
        var mask = [Int64](repeating: 0, count: b * t)
        var labelValues = [Int64](repeating: -100, count: b * t)
        var sources = [Source](repeating: .pad, count: b * t)
        var positions: [[Int]] = []
        var maxIndex = [Int](repeating: -1, count: taskNames.count)
        var virtualCount = [Int](repeating: 0, count: b)
        var prefix = true
        for (row, e) in examples.enumerated() {
            let offset = padding == .right ? 0 : t - e.items.count
            var real = 0
            var pos: [Int] = []
            for (k, item) in e.items.enumerated() {
                let p = row * t + offset + k
                mask[p] = 1
                switch item {
                case let .virtual(i):
                    guard i >= 0 else { throw NNError.invalidBatch("example \(row) has a negative virtual token index \(i)") }
                    sources[p] = .virtual(task: exampleTask[row], index: i)
                    maxIndex[exampleTask[row]] = Swift.max(maxIndex[exampleTask[row]], i)
                    virtualCount[row] += 1
                    if i != k { prefix = false }
                case let .token(id):
                    tokenIds[row * r + real] = Int64(id)
                    sources[p] = .real(real)
                    if let l = e.labels { labelValues[p] = Int64(l[real]) }
                    pos.append(offset + k)
                    real += 1
                }
            }
            positions.append(pos)
            // Virtual token i sits at position i for every i, so they fill exactly the first v positions.
            let v = virtualCount[row]
            if v != virtualCount[0] || (v > 0 && e.items[v - 1] != .virtual(v - 1)) {
                prefix = false
            }
        }
        batchSize = b
        length = t
        tasks = taskNames
        taskOfExample = exampleTask
        realTokens = try Tensor(shape: [b, r], scalars: tokenIds)
        realCounts = counts
        realPositions = positions
        attentionMask = try Tensor(shape: [b, t], scalars: mask)
        labels = try Tensor(shape: [b, t], scalars: labelValues)
        hasPadding = mask.contains(0)
        self.sources = sources
        maxVirtualIndex = maxIndex
        virtualCounts = virtualCount
        prefixLength = prefix && taskNames.count == 1 && !hasPadding ? virtualCount[0] : nil
    }
}
