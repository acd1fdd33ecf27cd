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

    /// The row for a token that can sit between two operands, or nil.
    static func infix(_ kind: TokenKind) -> Entry? {
        switch kind {
        case .arrow: return Entry(level: 1, op: nil, associativity: .left)
        case .keyword(.or): return Entry(level: 2, op: .or, associativity: .left)
        case .keyword(.and): return Entry(level: 3, op: .and, associativity: .left)
        case .equalEqual: return Entry(level: 5, op: .equal, associativity: .none)
        case .bangEqual: return Entry(level: 5, op: .notEqual, associativity: .none)
        case .less: return Entry(level: 5, op: .less, associativity: .none)
        case .lessEqual: return Entry(level: 5, op: .lessEqual, associativity: .none)
        case .greater: return Entry(level: 5, op: .greater, associativity: .none)
        case .greaterEqual: return Entry(level: 5, op: .greaterEqual, associativity: .none)
        case .dotDot: return Entry(level: 6, op: .rangeInclusive, associativity: .none)
        case .dotDotLess: return Entry(level: 6, op: .rangeExclusive, associativity: .none)
        case .plus: return Entry(level: 7, op: .add, associativity: .left)
        case .minus: return Entry(level: 7, op: .subtract, associativity: .left)
        case .star: return Entry(level: 8, op: .multiply, associativity: .left)
        case .slash: return Entry(level: 8, op: .divide, associativity: .left)
        case .percent: return Entry(level: 8, op: .remainder, associativity: .left)
        case .at: return Entry(level: 8, op: .matmul, associativity: .left)
        case .identifier, .number, .string, .keyword, .newline, .eof, .leftParen, .rightParen, .leftBracket,
             .rightBracket, .leftBrace, .rightBrace, .comma, .colon, .semicolon, .dot, .assign, .plusAssign,
             .minusAssign, .starAssign, .slashAssign, .starStar, .invalid:
            return nil
        }
    }
}
