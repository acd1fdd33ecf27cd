import PTuneCore

extension Parser {
    // expression = binary ;
    mutating func parseExpression() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        return try parseBinary(Precedence.lowest)
    }

    // binary = prefixed { BINOP binary } ;
    // One loop for every binary operator: an operator joins the expression while its level is at least `minLevel`;
    // its right operand climbs one level higher, so operators of one level group to the left.
    mutating func parseBinary(_ minLevel: Int) throws -> Expr {
        var left = try parsePrefixed(minLevel)
        // Each operator wraps `left` one level deeper: `1 + 1 + … + 1` nests as deeply as it is long, so it counts
        // against the nesting limit like parentheses (a 10 MB chain would otherwise overflow the checker's stack).
        var links = 0
        defer { depth -= links }
        while let entry = Precedence.infix(peek.kind), entry.level >= minLevel {
            links += 1
            try enter()
            let opToken = advance()
            guard let op = entry.op else {
                // `a -> b -> c`: one flat chain of sizes.
                var items = [left]
                repeat { items.append(try parseBinary(entry.level + 1)) } while match(.arrow)
                left = .chain(items, left.span.through(items[items.count - 1].span))
                _ = opToken
                continue
            }
            let right = try parseBinary(entry.level + 1)
            left = .binary(op, left, right, left.span.through(right.span))
            if entry.associativity == .none, let next = Precedence.infix(peek.kind), next.level == entry.level {
                throw fail(entry.level == Precedence.comparisonLevel ? .chainedComparison : .chainedRange)
            }
        }
        return left
    }

    // prefixed = "not" prefixed | unary ;
    mutating func parsePrefixed(_ minLevel: Int) throws -> Expr {
        guard check(.keyword(.not)) else { return try parseUnary() }
        let keyword = advance()
        try enter()
        defer { depth -= 1 }
        let operand = try parseBinary(Precedence.notLevel)
        return .unary(.not, operand, keyword.span.through(operand.span))
    }

    // unary = ( "-" | "+" ) unary | power ;
    mutating func parseUnary() throws -> Expr {
        if check(.minus) || check(.plus) {
            let opToken = advance()
            try enter()
            defer { depth -= 1 }
            let operand = try parseUnary()
            let negate = opToken.isPunctuation(.minus)
            if negate, case let .number(v, s) = operand { return .number(-v, opToken.span.through(s)) }
            return .unary(negate ? .negate : .plus, operand, opToken.span.through(operand.span))
        }
        return try parsePower()
    }

    // power = postfix [ "**" unary ] ;
    mutating func parsePower() throws -> Expr {
        let base = try parsePostfix()
        guard match(.starStar) else { return base }
        try enter()
        defer { depth -= 1 }
        let exponent = try parseUnary()
        return .binary(.power, base, exponent, base.span.through(exponent.span))
    }

    // postfix = primary { call | index | member } ;
    mutating func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        // `f()()…`, `x[0][0]…` and `x.a.b…` nest one level per suffix (see `parseBinary`).
        var links = 0
        defer { depth -= links }
        while true {
            if check(.leftParen) || check(.leftBracket) || check(.dot) {
                links += 1
                try enter()
            }
            if check(.leftParen) {
                e = try parseCall(e)
            } else if check(.leftBracket) {
                e = try parseIndex(e)
            } else if check(.dot) {
                // member = "." NAME ;
                advance()
                guard let name = nameToken() else { throw fail(.expectedName(after: "'.'", found: found)) }
                advance()
                e = .member(e, name.text, e.span.through(name.span))
            } else {
                return e
            }
        }
    }

    /// The current token as a NAME (an identifier or any keyword), or nil.
    func nameToken() -> Token? { peek.kind.isName ? peek : nil }

    // call = "(" [ argument { "," argument } [ "," ] ] ")" ;
    // argument = [ NAME ":" ] expression ;
    mutating func parseCall(_ callee: Expr) throws -> Expr {
        let open = advance()
        try enter()
        defer { depth -= 1 }
        var args: [Argument] = []
        while !check(.rightParen) {
            var label: Token?
            if let name = nameToken(), peek(1).isPunctuation(.colon) {
                label = name
                advance(); advance()
            } else if let last = args.last, last.label != nil {
                throw fail(.positionalAfterNamed(last.label ?? ""))
            }
            let value = try parseExpression()
            args.append(Argument(label: label?.text, labelSpan: label?.span, value: value))
            if !match(.comma) { break }
        }
        try consume(.rightParen, .expectedClosing(")", opener: "(", at: open.span.lineColumn))
        return .call(callee, args, callee.span.through(previous.span))
    }

    // index = "[" subscript { "," subscript } "]" ;
    mutating func parseIndex(_ base: Expr) throws -> Expr {
        let open = advance()
        try enter()
        defer { depth -= 1 }
        var subs: [Subscript] = []
        repeat {
            if check(.rightBracket) && !subs.isEmpty { break }
            subs.append(try parseSubscript())
        } while match(.comma)
        try consume(.rightBracket, .expectedClosing("]", opener: "[", at: open.span.lineColumn))
        return .index(base, subs, base.span.through(previous.span))
    }

    // subscript = expression | [ expression ] ":" [ expression ] [ ":" [ expression ] ] ;
    mutating func parseSubscript() throws -> Subscript {
        let start = peek.span
        var lower: Expr?
        if !check(.colon) {
            let e = try parseExpression()
            guard check(.colon) else { return .at(e) }
            lower = e
        }
        advance() // ':'
        func bound(_ p: inout Parser) throws -> Expr? {
            if p.check(.colon) || p.check(.comma) || p.check(.rightBracket) { return nil }
            return try p.parseExpression()
        }
        let upper = try bound(&self)
        var step: Expr?
        if match(.colon) { step = try bound(&self) }
        return .slice(start: lower, end: upper, step: step, span: span(from: start))
    }

    // primary = NUMBER | STRING | "true" | "false" | "none" | IDENT | "(" expression ")" | list | record | ifExpr
    //         | lambda ;
    mutating func parsePrimary() throws -> Expr {
        let t = peek
        switch t.kind {
        case .number:
            advance()
            return .number(t.number, t.span)
        case .string:
            advance()
            return .string(t.text, t.span)
        case .identifier:
            advance()
            return .name(t.text, t.span)
        case .keyword(.true), .keyword(.false):
            advance()
            return .bool(t.kind == .keyword(.true), t.span)
        case .keyword(.none):
            advance()
            return .none(t.span)
        case .keyword(.if):
            return try parseIfExpression()
        case .keyword(.fn) where peek(1).kind == .punctuation(.leftParen):
            return try parseLambda()
        case let .keyword(k):
            throw fail(.keywordAsExpression(k.rawValue))
        case .punctuation(.leftParen):
            advance()
            let inner = try parseExpression()
            try consume(.rightParen, .expectedClosing(")", opener: "(", at: t.span.lineColumn))
            return inner
        case .punctuation(.leftBracket):
            return try parseList()
        case .punctuation(.leftBrace):
            return try parseRecord()
        case .punctuation, .newline, .eof, .invalid:
            throw fail(.expectedExpression(found: found))
        }
    }

    // lambda = "fn" "(" [ param { "," param } ] ")" ( "=" expression | block ) ;
    mutating func parseLambda() throws -> Expr {
        let keyword = advance()
        try enter()
        defer { depth -= 1 }
        let decl = try parseFunctionRest(name: FunctionDecl.anonymous, nameSpan: keyword.span, start: keyword.span)
        return .lambda(decl, decl.span)
    }

    // list = "[" [ expression { "," expression } [ "," ] ] "]" ;
    mutating func parseList() throws -> Expr {
        let open = advance()
        try enter()
        defer { depth -= 1 }
        var items: [Expr] = []
        while !check(.rightBracket) {
            items.append(try parseExpression())
            if !match(.comma) { break }
        }
        try consume(.rightBracket, .expectedClosing("]", opener: "[", at: open.span.lineColumn))
        let span = self.span(from: open.span)
        if !items.isEmpty, let literal = Parser.tensorLiteral(items) { return .tensor(literal, span) }
        return .list(items, span)
    }

    // ifExpr = "if" expression branch { NEWLINE } "else" ( ifExpr | branch ) ;
    mutating func parseIfExpression() throws -> Expr {
        let keyword = advance()
        try enter()
        defer { depth -= 1 }
        let condition = try parseExpression()
        let then = try parseBranch(after: "the condition of 'if'")
        var k = 0
        while peek(k).kind == .newline { k += 1 }
        guard peek(k).kind == .keyword(.else) else {
            throw fail(.expectedToken("'else'", context: "after the first branch of an 'if' expression (it must give a value either way)", found: found))
        }
        for _ in 0...k { advance() }
        let otherwise = check(.keyword(.if)) ? try parseIfExpression() : try parseBranch(after: "'else'")
        return .conditional(condition, then, otherwise, span(from: keyword.span))
    }

    // branch = "{" { NEWLINE } expression { NEWLINE } "}" ;
    mutating func parseBranch(after context: String) throws -> Expr {
        let open = try consume(.leftBrace, .expectedToken("'{'", context: "after \(context)", found: found))
        skipNewlines()
        let value = try parseExpression()
        skipNewlines()
        try consume(.rightBrace, .expectedClosing("}", opener: "{", at: open.span.lineColumn))
        return value
    }

    // record = "{" [ NAME ":" expression { "," NAME ":" expression } [ "," ] ] "}" ;
    // (Line breaks may stand between the fields.)
    mutating func parseRecord() throws -> Expr {
        let open = advance()
        try enter()
        defer { depth -= 1 }
        var fields: [RecordField] = []
        skipNewlines()
        while !check(.rightBrace) {
            guard let name = nameToken() else { throw fail(.expectedToken("a field name", context: "in the record", found: found)) }
            advance()
            try consume(.colon, .expectedToken("':'", context: "after the field name '\(name.text)'", found: found))
            fields.append(RecordField(name: name.text, nameSpan: name.span, value: try parseExpression()))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try consume(.rightBrace, .expectedClosing("}", opener: "{", at: open.span.lineColumn))
        return .record(fields, span(from: open.span))
    }

    /// The tensor literal a list of numbers (or of such lists) spells, or nil if any item is something else.
    static func tensorLiteral(_ items: [Expr]) -> TensorLiteral? {
        var out: [TensorLiteral] = []
        for item in items {
            switch item {
            case let .number(v, _): out.append(.scalar(v))
            case let .tensor(t, _): out.append(t)
            case .string, .bool, .none, .name, .list, .chain, .unary, .binary, .call, .member, .index, .record, .conditional,
                 .lambda:
                return nil
            }
        }
        return .list(out)
    }
}
