extension Parser {
    // statement = seedStmt | dtypeStmt | dimStmt | letStmt | paramStmt | frozenStmt | modelStmt | encoderStmt
    //           | dataStmt | fnStmt | ifStmt | forStmt | whileStmt | trainStmt | printStmt | assertStmt
    //           | saveStmt | loadStmt | importStmt | returnStmt | breakStmt | continueStmt | assignOrExprStmt ;
    mutating func parseStatement() throws -> Stmt {
        let t = peek
        if case let .keyword(k) = t.kind { return try parseStatement(startingWith: k) }
        if t.kind == .identifier, let word = ContextualWord(rawValue: t.text), word.startsStatement {
            let next = peek(1)
            switch word {
            case .model, .encoder, .data:
                if next.kind == .identifier && peek(2).isPunctuation(.assign) {
                    return try parseDeclaration(word == .model ? .model : word == .encoder ? .encoder : .data)
                }
            case .train:
                if Self.startsTrainTarget(next.kind) { return try parseTrain(boundTo: nil) }
            case .save:
                if next.kind == .identifier || next.isPunctuation(.leftBracket) { return try parseSave() }
            case .load:
                if next.kind == .identifier && peek(2).isWord(.from) { return try parseLoad() }
            case .on, .to, .from, .every, .exists:
                break
            }
        }
        return try parseAssignOrExpression()
    }

    /// A statement that starts with a keyword (`let`, `if`, …), or an expression that does (`not done`, `true`).
    // breakStmt = "break" ;
    // continueStmt = "continue" ;
    mutating func parseStatement(startingWith k: Keyword) throws -> Stmt {
        let t = peek
        switch k {
        case .seed: return try parseSeed()
        case .dtype: return try parseDType()
        case .dim: return try parseDeclaration(.dim)
        case .let: return try parseLet()
        case .param: return try parseDeclaration(.param)
        case .frozen: return try parseDeclaration(.frozen)
        case .fn:
            // `fn(x) = …` is a function expression; `fn name(…)` declares one.
            if peek(1).kind == .punctuation(.leftParen) { return try parseAssignOrExpression() }
            return try parseFunction()
        case .if: return try parseIf()
        case .for: return try parseFor()
        case .while: return try parseWhile()
        case .print: return try parsePrint()
        case .assert: return try parseAssert()
        case .import: return try parseImport()
        case .return: return try parseReturn()
        case .break:
            advance()
            return .breakLoop(t.span)
        case .continue:
            advance()
            return .continueLoop(t.span)
        case .else:
            throw fail(.elseWithoutIf)
        case .in, .true, .false, .none, .and, .or, .not:
            return try parseAssignOrExpression()
        }
    }

    // seedStmt = "seed" expression ;
    mutating func parseSeed() throws -> Stmt {
        let start = advance().span
        let value = try parseExpression()
        return .seed(value, span(from: start))
    }

    // dtypeStmt = "dtype" IDENT ;
    mutating func parseDType() throws -> Stmt {
        let start = advance().span
        let name = try consume(.identifier, .expectedToken("a dtype (float32 or float64)", context: "after 'dtype'", found: found))
        return .dtype(name.text, name.span, span(from: start))
    }

    // dimStmt = "dim" IDENT "=" expression ;
    // paramStmt = "param" IDENT "=" expression ;
    // frozenStmt = "frozen" IDENT "=" expression ;
    // modelStmt = "model" IDENT "=" expression [ "frozen" ] ;
    // encoderStmt = "encoder" IDENT "=" expression ;
    // dataStmt = "data" IDENT "=" expression ;
    mutating func parseDeclaration(_ kind: DeclKind) throws -> Stmt {
        let keyword = advance()
        let name = try consume(.identifier, .expectedName(after: "'\(keyword.text)'", found: found))
        try consume(.assign, .expectedToken("'='", context: "after '\(keyword.text) \(name.text)'", found: found))
        let value = try parseExpression()
        var k = kind
        if kind == .model && match(.keyword(.frozen)) { k = .frozenModel }
        return .declare(k, name.text, name.span, value, span(from: keyword.span))
    }

    // letStmt = "let" IDENT "=" ( trainStmt | expression ) ;
    mutating func parseLet() throws -> Stmt {
        let keyword = advance()
        let name = try consume(.identifier, .expectedName(after: "'let'", found: found))
        try consume(.assign, .expectedToken("'='", context: "after 'let \(name.text)'", found: found))
        if peek.isWord(.train) && Self.startsTrainTarget(peek(1).kind) {
            return try parseTrain(boundTo: (name.text, name.span), start: keyword.span)
        }
        let value = try parseExpression()
        return .declare(.let, name.text, name.span, value, span(from: keyword.span))
    }

    // fnStmt = "fn" IDENT "(" [ param { "," param } ] ")" ( "=" expression | block ) ;
    mutating func parseFunction() throws -> Stmt {
        let keyword = advance()
        let name = try consume(.identifier, .expectedName(after: "'fn'", found: found))
        return .function(try parseFunctionRest(name: name.text, nameSpan: name.span, start: keyword.span))
    }

    // param = IDENT [ "=" expression ] ;
    /// The parameters and body of a function declaration or a function expression, after its name (if any).
    mutating func parseFunctionRest(name: String, nameSpan: SourceSpan, start: SourceSpan) throws -> FunctionDecl {
        let what = name == FunctionDecl.anonymous ? "'fn'" : "'fn \(name)'"
        let open = try consume(.leftParen, .expectedToken("'('", context: "after \(what)", found: found))
        var params: [(name: String, span: SourceSpan)] = []
        var defaults: [Expr?] = []
        var seen: Set<String> = []
        let owner = name == FunctionDecl.anonymous ? "the function" : "'\(name)'"
        if !check(.rightParen) {
            repeat {
                let p = try consume(.identifier, .expectedName(after: "'(' or ',' in the parameters of \(owner)", found: found))
                if !seen.insert(p.text).inserted { throw Failure(diagnostic: Diagnostic(.duplicateParameter(p.text), at: p.span)) }
                params.append((p.text, p.span))
                defaults.append(match(.assign) ? try parseExpression() : nil)
            } while match(.comma)
        }
        try consume(.rightParen, .expectedClosing(")", opener: "(", at: open.span.lineColumn))
        let body: FunctionBody
        if match(.assign) {
            body = .expression(try parseExpression())
        } else if check(.leftBrace) {
            body = .block(try parseBlock(after: "the parameters of \(owner)"))
        } else {
            throw fail(.expectedToken("'=' or '{'", context: "after the parameters of \(owner)", found: found))
        }
        return FunctionDecl(name: name, nameSpan: nameSpan, parameters: params,
                            defaults: defaults.contains { $0 != nil } ? defaults : [], body: body, span: span(from: start))
    }

    // ifStmt = "if" expression block [ { NEWLINE } "else" ( ifStmt | block ) ] ;
    mutating func parseIf() throws -> Stmt {
        let keyword = advance()
        let condition = try parseExpression()
        let then = try parseBlock(after: "the condition of 'if'")
        // `else` may sit on the line after the closing brace.
        var k = 0
        while peek(k).kind == .newline { k += 1 }
        guard peek(k).kind == .keyword(.else) else { return .ifElse(condition, then, nil, span(from: keyword.span)) }
        for _ in 0..<k { advance() }
        advance()
        if check(.keyword(.if)) {
            // `else if` nests: a long chain counts against the nesting limit like a deep block.
            try enter()
            defer { depth -= 1 }
            let nested = try parseIf()
            return .ifElse(condition, then, [nested], span(from: keyword.span))
        }
        let otherwise = try parseBlock(after: "'else'")
        return .ifElse(condition, then, otherwise, span(from: keyword.span))
    }

    // forStmt = "for" IDENT "in" expression block ;
    mutating func parseFor() throws -> Stmt {
        let keyword = advance()
        let name = try consume(.identifier, .expectedName(after: "'for'", found: found))
        try consume(.keyword(.in), .expectedToken("'in'", context: "after 'for \(name.text)'", found: found))
        let iterable = try parseExpression()
        let body = try parseBlock(after: "'for \(name.text) in …'")
        return .forIn(name.text, name.span, iterable, body, span(from: keyword.span))
    }

    // whileStmt = "while" expression block ;
    mutating func parseWhile() throws -> Stmt {
        let keyword = advance()
        let condition = try parseExpression()
        let body = try parseBlock(after: "the condition of 'while'")
        return .whileLoop(condition, body, span(from: keyword.span))
    }

    // printStmt = "print" [ expression { "," expression } ] ;
    mutating func parsePrint() throws -> Stmt {
        let keyword = advance()
        var items: [Expr] = []
        if !peek.kind.endsStatement {
            repeat { items.append(try parseExpression()) } while match(.comma)
        }
        return .print(items, span(from: keyword.span))
    }

    // assertStmt = "assert" expression [ "," expression ] ;
    mutating func parseAssert() throws -> Stmt {
        let keyword = advance()
        let condition = try parseExpression()
        let message = match(.comma) ? try parseExpression() : nil
        return .assert(condition, message, span(from: keyword.span))
    }

    // importStmt = "import" STRING ;
    mutating func parseImport() throws -> Stmt {
        let keyword = advance()
        let path = try consume(.string, .expectedToken("a file name in quotes", context: "after 'import'", found: found))
        return .importFile(path.text, span(from: keyword.span))
    }

    // returnStmt = "return" [ expression ] ;
    mutating func parseReturn() throws -> Stmt {
        let keyword = advance()
        if peek.kind.endsStatement { return .returnValue(nil, keyword.span) }
        let value = try parseExpression()
        return .returnValue(value, span(from: keyword.span))
    }

    // saveStmt = "save" expression "to" expression ;
    mutating func parseSave() throws -> Stmt {
        let keyword = advance()
        let what = try parseExpression()
        guard peek.isWord(.to) else { throw fail(.expectedToken("'to'", context: "after 'save …'", found: found)) }
        advance()
        let path = try parseExpression()
        return .save(what, path, span(from: keyword.span))
    }

    // loadStmt = "load" IDENT "from" expression ;
    mutating func parseLoad() throws -> Stmt {
        let keyword = advance()
        let name = advance()
        advance() // "from"
        let path = try parseExpression()
        return .load(name.text, name.span, path, span(from: keyword.span))
    }

    // trainStmt   = "train" trainTarget { "," trainTarget } "on" expression
    //               "{" { terminator } { trainOption terminator { terminator } } "}" ;
    // trainTarget = IDENT | record ;
    mutating func parseTrain(boundTo result: (name: String, span: SourceSpan)?, start: SourceSpan? = nil) throws -> Stmt {
        let keyword = advance()
        var targets: [TrainTargetDecl] = []
        repeat {
            if check(.leftBrace) {
                targets.append(TrainTargetDecl(try parseRecord()))
            } else {
                let t = try consume(.identifier, .expectedName(after: "'train'", found: found))
                targets.append(TrainTargetDecl(.name(t.text, t.span)))
            }
        } while match(.comma)
        guard peek.isWord(.on) else {
            throw fail(.expectedToken("'on'", context: "after 'train \(targets.map(\.name).joined(separator: ", "))'", found: found))
        }
        advance()
        let data = try parseExpression()
        let open = try consume(.leftBrace, .expectedToken("'{'", context: "after the dataset of 'train'", found: found))
        skipNewlines()
        var options: [TrainOption] = []
        while !check(.rightBrace) && !atEnd {
            do {
                options.append(try parseTrainOption())
                try expectTerminator()
            } catch let f as Failure {
                if !f.alreadyReported { diagnostics.append(f.diagnostic) }
                synchronize()
            }
            skipNewlines()
        }
        try consume(.rightBrace, .expectedClosing("}", opener: "{", at: open.span.lineColumn))
        return .train(TrainDecl(targets: targets, data: data, options: options, result: result,
                                span: span(from: start ?? keyword.span)))
    }

    /// Whether a token of `kind` after the word `train` starts what a block trains (a name, or a record written in
    /// place), so that `train` is the statement and not a name.
    static func startsTrainTarget(_ kind: TokenKind) -> Bool {
        kind == .identifier || kind == .punctuation(.leftBrace)
    }

    // trainOption = NAME ":" ( cadence | expression [ cadence | "if" "exists" ] ) ;
    mutating func parseTrainOption() throws -> TrainOption {
        guard let name = nameToken() else { throw fail(.expectedName(after: "'{' of 'train' (an option such as 'loss:')", found: found)) }
        advance()
        try consume(.colon, .expectedToken("':'", context: "after the option '\(name.text)'", found: found))
        if peek.isWord(.every) {
            return TrainOption(name: name.text, nameSpan: name.span, value: nil, cadence: try parseCadence())
        }
        let value = try parseExpression()
        let cadence = peek.isWord(.every) ? try parseCadence() : nil
        var ifExists: SourceSpan?
        if cadence == nil, check(.keyword(.if)) {
            let keyword = advance()
            guard peek.isWord(.exists) else { throw fail(.expectedToken("'exists'", context: "after 'if' in a 'train' option", found: found)) }
            advance()
            ifExists = span(from: keyword.span)
        }
        return TrainOption(name: name.text, nameSpan: name.span, value: value, cadence: cadence, ifExists: ifExists)
    }

    // cadence = "every" expression NAME ;
    mutating func parseCadence() throws -> Cadence {
        let every = advance()
        let count = try parseExpression()
        guard peek.kind == .identifier, let unit = CadenceUnit(word: peek.text) else {
            throw fail(.expectedToken("'steps' or 'epochs'", context: "after 'every …'", found: found))
        }
        advance()
        return Cadence(count: count, unit: unit, span: span(from: every.span))
    }

    // assignOrExprStmt = expression [ assignOp expression ] ;
    mutating func parseAssignOrExpression() throws -> Stmt {
        let start = peek.span
        let target = try parseExpression()
        // assignOp = "=" | "+=" | "-=" | "*=" | "/=" ;
        let op = peek.kind.assignment
        guard let op else { return .expression(target, span(from: start)) }
        let opToken = advance()
        switch target {
        case .name, .member:
            break
        case .number, .string, .bool, .none, .list, .tensor, .chain, .unary, .binary, .call, .index, .record, .conditional,
             .lambda:
            throw Failure(diagnostic: Diagnostic(.invalidAssignmentTarget(opToken.text), at: target.span))
        }
        let value = try parseExpression()
        return .assign(target, op, value, span(from: start))
    }
}
