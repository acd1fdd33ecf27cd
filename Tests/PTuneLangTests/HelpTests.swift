import Testing
@testable import PTuneLang

/// `:help`'s catalogue: builtins document themselves, groups list them, statements have a form and an example, and
/// every name offered for completion explains something.
@Suite struct HelpTests {
    let registry = BuiltinRegistry.standard

    @Test func namesResolveToEverythingTheyName() throws {
        let concat = try #require(HelpTopic.text(for: "concat", in: registry))
        #expect(concat.hasPrefix("concat(tensors..., axis: 0) -> tensor\n  ") && concat.contains("  example: "))
        guard case .builtins(let step)? = HelpTopic.named("optimizer.step", in: registry).first else {
            Issue.record("optimizer.step is not a builtin")
            return
        }
        #expect(step.count == 1 && step[0].receiver == .optimizer)
        // A name can be several things: all of them are explained.
        let tensor = HelpTopic.named("tensor", in: registry)
        #expect(tensor.count == 2)
        guard case .builtins = tensor.first, case .group(.tensor) = tensor.last else { Issue.record("tensor: \(tensor)"); return }
        let data = HelpTopic.named("data", in: registry)
        guard data.count == 2, case .group(.data) = data[0], case .statement(.data) = data[1] else { Issue.record("data: \(data)"); return }
        #expect(HelpTopic.text(for: "data", in: registry)?.contains("\n\ndata NAME = EXPR\n") == true)
        #expect(HelpTopic.text(for: "train", in: registry)?.hasPrefix("train NAMES on DATA {") == true)
        // The encoder declaration's short names (`encoder deep = prefix(…)`) find the encoders: `prefix` is only the
        // encoder, `mlp` the layer and then the encoder.
        #expect(HelpTopic.text(for: "prefix", in: registry)?.hasPrefix("prefix_encoder(n, model") == true)
        let mlp = HelpTopic.named("mlp", in: registry)
        guard mlp.count == 2, case .builtins(let layer) = mlp[0], case .builtins(let encoder) = mlp[1],
              layer.map(\.name) == ["mlp"], encoder.map(\.name) == ["mlp_encoder"] else { Issue.record("mlp: \(mlp)"); return }
        #expect(HelpTopic.named("no_such_thing", in: registry).isEmpty)
        #expect(HelpTopic.text(for: "tensor.no_such_method", in: registry) == nil)
    }

    @Test func groupsListEveryBuiltinOfTheirTopic() {
        for group in BuiltinTopic.allCases {
            let builtins = registry.builtins(of: group)
            #expect(!builtins.isEmpty, "no builtin is listed under \(group)")
            let text = HelpTopic.group(group).text(in: registry)
            #expect(text.hasPrefix(group.rawValue + ":\n"))
            for b in builtins { #expect(text.contains("  " + HelpTopic.qualifiedName(b) + " "), "\(group) does not list \(b.name)") }
        }
        #expect(Set(registry.all.map(\.topic)) == Set(BuiltinTopic.allCases))
    }

    @Test func statementsAreTheGrammarsWords() {
        for s in StatementHelp.allCases {
            #expect(Keyword(rawValue: s.rawValue) != nil || Session.statementWords.contains(s.rawValue), "\(s) starts no statement")
            #expect(!s.form.isEmpty && !s.meaning.isEmpty && s.example.contains(s.rawValue), "\(s)")
        }
    }

    /// Every statement's example is ptune that parses (names aside: they stand for the reader's own).
    @Test func statementExamplesParse() {
        for s in StatementHelp.allCases {
            let r = Parser.parse(SourceFile(name: "help", text: s.example + "\n"))
            #expect(r.diagnostics.isEmpty && !r.isIncomplete, "the example of '\(s)' does not parse: \(r.diagnostics.map(\.description))")
        }
    }

    /// Every builtin's example is ptune that parses, as the statement a reader would type (an example that is an
    /// entry of a `train` block, `optimizer: adam(lr: 1e-3)`, parses inside one).
    @Test func builtinExamplesParse() {
        for b in registry.all {
            let entry = b.example.prefix { $0 != ":" && $0 != "(" && $0 != " " }
            let isEntry = b.example.hasPrefix(entry + ": ") && !entry.isEmpty
            let text = isEntry ? "train pe on data {\n  \(b.example)\n}\n" : b.example + "\n"
            let r = Parser.parse(SourceFile(name: "help", text: text))
            #expect(r.diagnostics.isEmpty && !r.isIncomplete,
                    "the example of '\(HelpTopic.qualifiedName(b))' does not parse: \(b.example) \(r.diagnostics.map(\.description))")
        }
    }

    @Test func everyOfferedNameExplainsSomething() {
        let names = HelpTopic.names(in: registry)
        #expect(names.count > 100)
        for name in names { #expect(!HelpTopic.named(name, in: registry).isEmpty, "'\(name)' is offered but explains nothing") }
        let overview = HelpTopic.overview(registry)
        for group in BuiltinTopic.allCases { #expect(overview.contains("  " + group.rawValue + " ")) }
        for s in StatementHelp.allCases { #expect(overview.contains(s.rawValue)) }
    }
}
