import Testing
@testable import PTuneLang

@Suite struct ParserTests {
    func parse(_ text: String) -> ParseResult { Parser.parse(SourceFile(name: "t.pt", text: text)) }

    @Test func openDelimitersAreIncompleteInput() {
        for text in ["for i in 1..3 {", "let x = (1 +", "let xs = [1, 2,", "print f(1,\n 2", "let y = 3 +", "if x {\n print 1\n} else"] {
            let r = parse(text)
            #expect(r.isIncomplete, "\(text) should be incomplete")
            do {
                _ = try Parser.parseProgram(SourceFile(name: "t", text: text))
                Issue.record("parseProgram(\(text)) should throw")
            } catch {
                if case .errors = error { Issue.record("parseProgram(\(text)) should throw .incomplete") }
            }
        }
    }

    @Test func finishedOrBrokenInputIsNotIncomplete() {
        for text in ["let x = 1", "print )", "let s = \"open", "if x", "x = = 3", "}"] {
            #expect(!parse(text).isIncomplete, "\(text) should not be incomplete")
        }
        #expect(parse("let x = 1").diagnostics.isEmpty)
    }

    @Test func everySyntaxErrorIsReportedInOneRun() {
        let r = parse("let = 1\nprint (1 +\nlet ok = 2\nfn f( = 3\nprint ok")
        #expect(r.diagnostics.count == 3)
        #expect(r.statements.count == 2) // `let ok = 2` and `print ok` survive
    }

    @Test func closingMessageQuotesTheOpener() {
        let r = parse("let x = (1 + 2\nprint x")
        #expect(r.diagnostics.first?.message.description == "expected ')' to close '(' at 1:9")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        let r = parse(text)
        #expect(r.diagnostics.first?.message == .nestedTooDeeply(Parser.maxDepth))
        let unary = "let x = " + String(repeating: "-", count: 100_000) + "1"
        #expect(!parse(unary).diagnostics.isEmpty)
    }

    @Test func precedenceFollowsTheTable() throws {
        let r = parse("a + b * c ** 2 == d and not e or f")
        guard case let .expression(e, _)? = r.statements.first else { Issue.record("no expression"); return }
        // ((a + (b * (c ** 2))) == d and (not e)) or f
        guard case let .binary(.or, lhs, _, _) = e, case let .binary(.and, cmp, notE, _) = lhs,
              case let .binary(.equal, sum, _, _) = cmp, case let .binary(.add, _, prod, _) = sum,
              case let .binary(.multiply, _, pow, _) = prod, case .binary(.power, _, _, _) = pow,
              case .unary(.not, _, _) = notE else {
            Issue.record("unexpected tree: \(e)")
            return
        }
    }

    @Test func chainsFlattenAndTensorLiteralsAreRecognised() {
        let r = parse("mlp(64 -> 256 -> 64)\n[[1, 2], [-3, 4]]\n[a, 1]")
        guard r.statements.count == 3, case let .expression(.call(_, args, _), _) = r.statements[0],
              case let .chain(items, _) = args[0].value, items.count == 3 else { Issue.record("chain"); return }
        guard case .expression(.tensor, _) = r.statements[1] else { Issue.record("tensor literal"); return }
        guard case .expression(.list, _) = r.statements[2] else { Issue.record("list"); return }
    }

    @Test func contextualWordsAreNamesElsewhere() {
        let r = parse("data train = x\ntrain pe on train { loss: 1 }\nprint train.x\nmodel = 3")
        #expect(r.diagnostics.isEmpty)
        guard r.statements.count == 4, case .declare(.data, "train", _, _, _) = r.statements[0],
              case .train = r.statements[1], case .print = r.statements[2], case .assign = r.statements[3] else {
            Issue.record("statements: \(r.statements)")
            return
        }
    }

    @Test func keywordsAreLabelsAndMembers() {
        #expect(parse("f(dim: 3, in: 2)\nx.dim").diagnostics.isEmpty)
    }

    @Test func diagnosticsRenderWithCaret() {
        let file = SourceFile(name: "seed.pt", text: "let a = 1\nlet w = concat(a, b)\n")
        let d = Diagnostic(.unknownName("b", suggestion: nil), at: SourceSpan(file: file, start: 28, end: 29))
        #expect(d.description == "seed.pt:2:19: error: cannot find 'b' in scope\nlet w = concat(a, b)\n                  ^")
    }
}

