import PTuneLang

/// `:help` texts: statements and keywords (from the grammar), and builtins (each documents itself).
enum LangHelp {
    /// Each statement keyword: its form and meaning, and an example.
    static let keywords: [String: (form: String, meaning: String, example: String)] = [
        "seed": ("seed N", "fix every random draw that follows (inits, shuffles, dropout, synthetic data)", "seed 42"),
        "dtype": ("dtype float32|float64", "the dtype of new float tensors", "dtype float64"),
        "dim": ("dim NAME = N", "a named integer dim, usable in shapes and arithmetic; checked by name", "dim embed = 64"),
        "let": ("let NAME = EXPR", "a value (reassign with NAME = EXPR); 'let h = train …' keeps the training history",
                "let lr = 1e-3"),
        "param": ("param NAME = EXPR", "a trainable tensor: optimizers update it", "param w = randn(embed, out)"),
        "frozen": ("frozen NAME = EXPR", "a constant tensor; train verifies it is unchanged", "frozen llm = randn(embed, out)"),
        "model": ("model NAME = EXPR [frozen]", "a layer or network; 'frozen' fixes its weights",
                  "model head = linear(embed -> 8) frozen"),
        "encoder": ("encoder NAME = EXPR", "a prompt encoder: the trained virtual tokens", "encoder pe = mlp(virtual, embed, hidden: 256)"),
        "data": ("data NAME = EXPR", "a dataset with named columns", "data train = synthetic_classes(n: 1024, seq: 16, dim: embed, classes: 8)"),
        "fn": ("fn NAME(ARGS) = EXPR  |  fn NAME(ARGS) { … return EXPR }", "a function", "fn forward() = concat(base * encoder, x) @ llm"),
        "if": ("if COND { … } else { … }", "run a block when COND holds", "if loss < 0.1 { print \"done\" }"),
        "for": ("for NAME in EXPR { … }", "loop over a range (1..10 includes 10, 0..<10 does not), a list or a dataset's batches",
                "for step in 1..100 { opt.step(loss()) }"),
        "while": ("while COND { … }", "loop while COND holds", "while opt.steps < 100 { opt.step(loss()) }"),
        "train": ("train NAMES on DATA { loss: …  optimizer: …  batch: …  epochs: … }",
                  "a training loop over DATA's batches (options: loss, optimizer, batch, epochs or steps, shuffle, eval, early stopping, clip, log, checkpoint)",
                  "train pe on train { loss: cross_entropy(predict(batch.x), batch.y)  optimizer: adam(lr: 1e-3) }"),
        "print": ("print EXPR, …", "print values separated by spaces", "print \"loss\", mse(forward(), target)"),
        "assert": ("assert COND, \"message\"", "stop with an error (exit status 1) unless COND holds", "assert loss < 0.5, \"did not learn\""),
        "save": ("save EXPR to \"PATH\"", "write tensors or an encoder to a file (safetensors)", "save encoder to \"encoder.safetensors\""),
        "load": ("load NAME from \"PATH\"", "read what save wrote", "load encoder from \"encoder.safetensors\""),
        "import": ("import \"FILE.pt\"", "run another script's declarations here", "import \"common.pt\""),
        "return": ("return [EXPR]", "leave a function with a value", "fn f(x) { return x * 2 }"),
        "break": ("break", "leave the innermost loop", "for i in 1..10 { if i > 3 { break } }"),
        "continue": ("continue", "go on with the next iteration", "for i in 1..10 { if i % 2 == 0 { continue } }"),
    ]

    /// The overview after the REPL's own commands: builtins by topic, and the statements.
    static func overview(_ registry: BuiltinRegistry) -> String {
        var text = "Builtins by topic (:help NAME for one, :help TOPIC for a topic):\n"
        for (topic, builtins) in registry.topics {
            let names = Array(Set(builtins.filter(\.isGlobal).map(\.name))).sorted()
            guard !names.isEmpty else { continue }
            text += wrap("  " + topic.padding(toLength: 8, withPad: " ", startingAt: 0), names)
        }
        text += "\nStatements (:help KEYWORD):\n"
        text += wrap("  ", keywords.keys.sorted())
        return text
    }

    /// The help for `topic`: a builtin, a method (`optimizer.step`), a topic, or a keyword; nil when unknown.
    static func help(_ topic: String, _ registry: BuiltinRegistry) -> String? {
        if let b = registry.global(topic) { return describe(b) }
        if let dot = topic.firstIndex(of: "."),
           let b = registry.method(String(topic[..<dot]), String(topic[topic.index(after: dot)...])) {
            return describe(b)
        }
        if let group = registry.topics.first(where: { $0.topic == topic }) {
            let width = min(28, (group.builtins.map { name(of: $0).count }.max() ?? 0) + 2)
            return "\(topic):\n" + group.builtins.map { "  " + name(of: $0).padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary }
                .joined(separator: "\n")
        }
        if let k = keywords[topic] { return "\(k.form)\n  \(k.meaning)\n  example: \(k.example)" }
        let methods = registry.all.filter { !$0.isGlobal && $0.name == topic }
        if !methods.isEmpty { return methods.map(describe).joined(separator: "\n\n") }
        return nil
    }

    /// `kind.name` for a method, `name` for a global builtin.
    static func name(of b: Builtin) -> String { (b.isGlobal ? "" : (b.receiver.map { $0 + "." } ?? "")) + b.name }

    /// Signature, meaning, parameters with kinds and defaults, example.
    static func describe(_ b: Builtin) -> String {
        var text = b.signature + "\n  " + b.summary + "\n"
        if !b.parameters.isEmpty {
            for p in b.parameters {
                let def = p.defaultText.map { " = " + $0 } ?? (p.isVariadic ? " …" : "")
                text += "    \(p.name): \(p.kind)\(def)\n"
            }
        }
        text += "  example: " + b.example
        return text
    }

    /// `prefix` then `words` comma-separated, wrapped at 100 columns with a hanging indent.
    static func wrap(_ prefix: String, _ words: [String]) -> String {
        var lines: [String] = []
        var line = prefix
        for (i, w) in words.enumerated() {
            let piece = w + (i < words.count - 1 ? "," : "")
            if line.count + piece.count + 1 > 100 && line.count > prefix.count {
                lines.append(line)
                line = String(repeating: " ", count: prefix.count)
            }
            line += (line.count > prefix.count ? " " : "") + piece
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}
