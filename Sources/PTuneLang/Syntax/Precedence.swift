/// The one table of binary operators: each token's level (higher binds tighter), its operator, and how it
/// associates. ``Parser`` drives one precedence-climbing loop from it; `grammar/ptune.ebnf` prints the same table.
enum Precedence {
    /// How operators of one level group.
    enum Associativity {
        /// `a - b - c` is `(a - b) - c`.
        case left
        /// `a == b == c` is an error.
        case none
    }

    /// One row of the table.
    struct Entry {
        let level: Int
        /// The operator, or nil for `->` (a chain of sizes, flattened).
        let op: BinaryOp?
        let associativity: Associativity
    }

    /// The level of prefix `not`: it binds looser than comparisons, tighter than `and`.
    static let notLevel = 4
    /// The lowest level: a whole expression.
    static let lowest = 1
    /// The level of the comparisons (a chain of them is reported as such).
    static let comparisonLevel = 5

    /// The row for a token that can sit between two operands (lowest level first), or nil.
    static func infix(_ kind: TokenKind) -> Entry? {
        switch kind {
        case .punctuation(.arrow): return Entry(level: 1, op: nil, associativity: .left)
        case .keyword(.or): return Entry(level: 2, op: .or, associativity: .left)
        case .keyword(.and): return Entry(level: 3, op: .and, associativity: .left)
        case .punctuation(.equalEqual): return Entry(level: 5, op: .equal, associativity: .none)
        case .punctuation(.bangEqual): return Entry(level: 5, op: .notEqual, associativity: .none)
        case .punctuation(.less): return Entry(level: 5, op: .less, associativity: .none)
        case .punctuation(.lessEqual): return Entry(level: 5, op: .lessEqual, associativity: .none)
        case .punctuation(.greater): return Entry(level: 5, op: .greater, associativity: .none)
        case .punctuation(.greaterEqual): return Entry(level: 5, op: .greaterEqual, associativity: .none)
        case .punctuation(.dotDot): return Entry(level: 6, op: .rangeInclusive, associativity: .none)
        case .punctuation(.dotDotLess): return Entry(level: 6, op: .rangeExclusive, associativity: .none)
        case .punctuation(.plus): return Entry(level: 7, op: .add, associativity: .left)
        case .punctuation(.minus): return Entry(level: 7, op: .subtract, associativity: .left)
        case .punctuation(.star): return Entry(level: 8, op: .multiply, associativity: .left)
        case .punctuation(.slash): return Entry(level: 8, op: .divide, associativity: .left)
        case .punctuation(.percent): return Entry(level: 8, op: .remainder, associativity: .left)
        case .punctuation(.at): return Entry(level: 8, op: .matmul, associativity: .left)
        case .identifier, .number, .string, .keyword, .punctuation, .newline, .eof, .invalid: return nil
        }
    }
}
