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

    /// Every token that can sit between two operands, lowest level first.
    static let table: [TokenKind: Entry] = [
        .punctuation(.arrow): Entry(level: 1, op: nil, associativity: .left),
        .keyword(.or): Entry(level: 2, op: .or, associativity: .left),
        .keyword(.and): Entry(level: 3, op: .and, associativity: .left),
        .punctuation(.equalEqual): Entry(level: 5, op: .equal, associativity: .none),
        .punctuation(.bangEqual): Entry(level: 5, op: .notEqual, associativity: .none),
        .punctuation(.less): Entry(level: 5, op: .less, associativity: .none),
        .punctuation(.lessEqual): Entry(level: 5, op: .lessEqual, associativity: .none),
        .punctuation(.greater): Entry(level: 5, op: .greater, associativity: .none),
        .punctuation(.greaterEqual): Entry(level: 5, op: .greaterEqual, associativity: .none),
        .punctuation(.dotDot): Entry(level: 6, op: .rangeInclusive, associativity: .none),
        .punctuation(.dotDotLess): Entry(level: 6, op: .rangeExclusive, associativity: .none),
        .punctuation(.plus): Entry(level: 7, op: .add, associativity: .left),
        .punctuation(.minus): Entry(level: 7, op: .subtract, associativity: .left),
        .punctuation(.star): Entry(level: 8, op: .multiply, associativity: .left),
        .punctuation(.slash): Entry(level: 8, op: .divide, associativity: .left),
        .punctuation(.percent): Entry(level: 8, op: .remainder, associativity: .left),
        .punctuation(.at): Entry(level: 8, op: .matmul, associativity: .left),
    ]

    /// The row for a token that can sit between two operands, or nil.
    static func infix(_ kind: TokenKind) -> Entry? { table[kind] }
}
