/// One position of an example's input.
public enum SequenceItem: Sendable, Equatable {
    /// Virtual token i of the example's task encoder (0-based).
    case virtual(Int)
    /// A real token id.
    case token(Int)
}

/// One example for p-tuning: its sequence of virtual and real tokens, the labels of its real tokens, and its task
/// (which selects the prompt encoder).
public struct PromptExample: Sendable, Equatable {
    /// The task name used when none is given.
    public static let defaultTask = "default"
    /// The positions, in order.
    public let items: [SequenceItem]
    /// One label per real token, in order (−100: no loss there); nil when the example carries no labels.
    public let labels: [Int]?
    /// The task whose encoder provides the virtual tokens.
    public let task: String

    /// An example; `labels`, if given, must have one entry per real token.
    public init(items: [SequenceItem], labels: [Int]? = nil, task: String = PromptExample.defaultTask) throws {
        let real = items.reduce(0) { if case .token = $1 { return $0 + 1 } else { return $0 } }
        if let labels, labels.count != real {
            throw NNError.invalidBatch("\(labels.count) labels for \(real) real tokens")
        }
        self.items = items
        self.labels = labels
        self.task = task
    }

    /// PEFT's placement: virtual tokens 0..<n, then `tokens`.
    public static func prepending(_ n: Int, to tokens: [Int], labels: [Int]? = nil,
                                  task: String = PromptExample.defaultTask) throws -> PromptExample {
        try PromptExample(items: (0..<n).map { .virtual($0) } + tokens.map { .token($0) }, labels: labels, task: task)
    }

    /// The real token ids, in order.
    public var realTokens: [Int] { items.compactMap { if case let .token(t) = $0 { return t } else { return nil } } }
    /// The number of virtual positions.
    public var virtualCount: Int { items.count - realTokens.count }
}
