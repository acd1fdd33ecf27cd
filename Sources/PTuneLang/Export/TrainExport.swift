import PTuneCore
import PTuneModels
import PTuneNN

/// Reads a `train` block as an export to PyTorch + PEFT sees it, at the moment the block would start: the trained
/// encoder, the data and the rows of every step (drawn from a copy of the session's generator, exactly as the block
/// would draw them), the optimizer and the other options evaluated, and the loss and eval matched against what the
/// exported `train.py` expresses:
/// ```
/// loss: cross_entropy(label_logits(MODEL, batch.TEXT, WORDS, encoder: E, template: T), batch.LABEL)
/// eval: accuracy(label_logits(MODEL, TEXTS, WORDS, encoder: E, template: T), LABELS) every K steps
/// ```
/// with user functions inlined. Every construct outside that — a custom loss, several things trained, virtual tokens
/// placed inside the text, a resumed run — is one located refusal; none is changed silently.
struct TrainExport {
    let spec: TrainSpec
    let block: TrainBlock<CheckedExpr>
    let m: Machine
    private(set) var refusals: [Diagnostic] = []

    init(spec: TrainSpec, block: TrainBlock<CheckedExpr>, m: Machine) {
        self.spec = spec
        self.block = block
        self.m = m
    }

    /// The label-word scoring a loss or eval is made of.
    struct Scoring {
        let model: ModelObject
        let lm: DecoderModel
        let texts: CheckedExpr
        let words: [String]
        let encoder: EncoderObject?
        let template: [String?]
        let span: SourceSpan
    }

    /// The plan, or every refusal.
    mutating func capture() throws -> TrainCapture {
        let run = TrainRun(spec: spec, m: m)
        guard case let .dataset(ds) = try run.value(spec.data, "on") ?? .none, ds.count > 0 else {
            refuse(spec.dataSpan, "the data of 'train' is not a non-empty dataset")
            return .refused(refusals)
        }
        if spec.value(.task) != nil || spec.value(.eval_data) != nil {
            refuse(block.span, "'task:' and 'eval_data:' train one encoder per task and evaluate by task, which the exported project (one PEFT prompt encoder) cannot")
            return .refused(refusals)
        }
        let targets = try run.targets()
        var encoder: EncoderObject?
        for (t, given) in zip(targets, spec.targets) {
            guard t.kind == .encoder, let e = t.encoder else {
                refuse(given.span, "'\(t.name)' is not a prompt encoder: the exported project trains one PEFT prompt encoder and nothing else")
                continue
            }
            if encoder != nil { refuse(given.span, "a second trained encoder '\(t.name)': a PEFT model trains one prompt encoder"); continue }
            encoder = e
        }
        let settings = try run.settings(rows: ds.count)
        if settings.resume != nil { refuse(block.span, "'resume:' continues a ptune checkpoint, which the exported project cannot read (it starts from the encoder's initial weights)") }
        guard case let .optimizer(opt) = try run.value(spec.value(.optimizer), "optimizer") ?? .none else {
            throw RuntimeFailure(.wrongKind(context: "'optimizer' of 'train'", expected: "an optimizer such as adam(lr: 1e-3)", got: "something else"), at: spec.span)
        }
        let loss = try lossScoring(encoder)
        let eval = try evalSplit(encoder, like: loss?.scoring)
        guard refusals.isEmpty, let encoder, let (scoring, textField, labelField) = loss else { return .refused(refusals) }
        let exported = exportedEncoder(encoder, name: spec.targets.first?.name ?? spec.name, at: spec.targets.first?.span ?? block.span)
        guard refusals.isEmpty, let exported else { return .refused(refusals) }

        let hyper = (try opt.optimizer.exportState(for: [])).hyperparameters.filter { $0.key != "lr" }
        guard let tokenizer = scoring.lm.tokenizer else { throw RuntimeFailure(.badArgument(function: "export", "the model has no tokenizer"), at: scoring.span) }
        var labelIDs: [Int] = []
        for w in scoring.words {
            let ids = tokenizer.encode(w, addSpecialTokens: false)
            guard ids.count == 1 else {
                refuse(scoring.span, "the label word '\(w)' is \(ids.count) tokens; the exported train.py reads one logit per label word")
                continue
            }
            labelIDs.append(ids[0])
        }
        guard refusals.isEmpty else { return .refused(refusals) }
        return .plan(TorchExportPlan(
            location: "\(block.span)", blockName: spec.name, seed: m.options.seedOverride ?? m.lastSeed?.value ?? m.options.defaultSeed,
            model: .init(requested: scoring.model.source ?? scoring.model.kind, origin: scoring.model.origin, summary: scoring.model.summary,
                         hiddenSize: scoring.lm.config.hiddenSize, layers: scoring.lm.config.layers, heads: scoring.lm.config.heads),
            encoder: exported, template: scoring.template, labelWords: scoring.words, labelTokenIDs: labelIDs,
            train: try split(ds, text: textField, label: labelField), batches: try batches(ds.count, settings),
            batchSize: settings.batchSize, stepsPerEpoch: settings.stepsPerEpoch, totalSteps: settings.total, epochs: settings.epochCount,
            loss: "cross_entropy", optimizer: .init(kind: opt.kind, learningRate: opt.learningRate, hyperparameters: hyper),
            schedule: settings.schedule, clip: settings.clip, eval: eval, evalEvery: eval == nil ? nil : settings.evalEvery,
            goalIsMax: settings.goal == .max, patience: settings.patience, restoreBest: settings.restoreBest,
            logEvery: settings.logEvery, checkpointEvery: settings.checkpointEvery,
            checkpointFile: settings.checkpoint.map { $0.given.split(separator: "/").last.map(String.init) ?? $0.given }))
    }

    // MARK: - Loss and eval

    /// `cross_entropy(label_logits(…, batch.TEXT, …), batch.LABEL)`: the scoring and the two batch columns.
    mutating func lossScoring(_ encoder: EncoderObject?) throws -> (scoring: Scoring, text: String, label: String)? {
        guard let given = block.value(.loss) else { refuse(block.span, "the block has no 'loss:'"); return nil }
        let expr = resolve(given)
        let at = expr.span ?? given.span ?? block.span
        guard case let .builtinCall(b, plan, args, _) = expr, b.name == "cross_entropy" else {
            refuse(at, "the loss is not cross_entropy(label_logits(…), batch.LABEL): a custom loss has no counterpart in PEFT's training")
            return nil
        }
        let smoothing = try value(CheckedExpr.argument(3, plan, args)), reduction = try value(CheckedExpr.argument(4, plan, args))
        if case let .number(x) = smoothing, x != 0 { refuse(at, "cross_entropy with label_smoothing is a custom loss the export does not write") }
        if case let .string(r) = reduction, r != "mean" { refuse(at, "cross_entropy with reduction \(Value.quote(r)): the export writes the mean over the batch") }
        let labelExpr = resolve(CheckedExpr.argument(1, plan, args))
        let label = batchColumn(labelExpr)
        if label == nil { refuse(labelExpr.span ?? at, "the labels of the loss are not one column of the batch (batch.label)") }
        guard let scoring = try scoringCall(CheckedExpr.argument(0, plan, args), encoder, role: "loss") else { return nil }
        let text = batchColumn(resolve(scoring.texts))
        if text == nil {
            refuse(scoring.texts.span ?? scoring.span, "the texts scored by the loss are not one column of the batch (batch.text): several tasks or inputs in one batch are not expressible in PEFT")
        }
        guard let text, let label else { return nil }
        return (scoring, text, label)
    }

    /// `accuracy(label_logits(…), LABELS)` scored like the loss: the split it evaluates.
    mutating func evalSplit(_ encoder: EncoderObject?, like loss: Scoring?) throws -> TorchExportPlan.Split? {
        guard let given = block.value(.eval) else { return nil }
        let expr = resolve(given)
        let at = expr.span ?? given.span ?? block.span
        guard case let .builtinCall(b, plan, args, _) = expr, b.name == "accuracy" else {
            refuse(at, "the eval is not accuracy(label_logits(…), LABELS): the exported project evaluates the accuracy of the label words")
            return nil
        }
        guard let scoring = try scoringCall(CheckedExpr.argument(0, plan, args), encoder, role: "eval") else { return nil }
        if let loss, loss.model !== scoring.model || loss.words != scoring.words || loss.template != scoring.template {
            refuse(scoring.span, "the eval scores with another model, label words or template than the loss")
            return nil
        }
        guard case let .list(items) = try value(scoring.texts) else {
            refuse(scoring.texts.span ?? scoring.span, "the texts of the eval are not a list of strings")
            return nil
        }
        let texts = items.compactMap { if case let .string(s) = $0 { s } else { nil } }
        guard texts.count == items.count, let labels = try value(CheckedExpr.argument(1, plan, args)).tensorValue else {
            refuse(at, "the eval's texts must be strings and its labels a tensor")
            return nil
        }
        let ints = labels.ints
        guard ints.count == texts.count else { refuse(at, "the eval has \(texts.count) texts but \(ints.count) labels"); return nil }
        return TorchExportPlan.Split(texts: texts, labels: ints)
    }

    /// `label_logits(MODEL, TEXTS, WORDS, encoder: E, template: T)` with E the trained encoder and T placing every
    /// virtual token first.
    mutating func scoringCall(_ given: CheckedExpr, _ encoder: EncoderObject?, role: String) throws -> Scoring? {
        let expr = resolve(given)
        let at = expr.span ?? given.span ?? block.span
        guard case let .builtinCall(b, plan, args, span) = expr, b.name == "label_logits" else {
            refuse(at, "the logits of the \(role) are not label_logits(model, texts, words, encoder: …, template: …), the scoring PEFT's causal-LM model expresses")
            return nil
        }
        let arg = { (i: Int) in CheckedExpr.argument(i, plan, args) }
        guard case let .model(mo) = try value(arg(0)), let lm = mo.frozenModel as? DecoderModel else {
            refuse(arg(0).span ?? span, "the \(role) scores with a model that is not a causal language model")
            return nil
        }
        var words: [String] = []
        switch try value(arg(2)) {
        case let .string(w): words = [w]
        case let .list(items): words = items.compactMap { if case let .string(s) = $0 { s } else { nil } }
        default: break
        }
        let usedEncoder: EncoderObject?
        if case let .encoder(e) = try value(arg(3)) { usedEncoder = e } else { usedEncoder = nil }
        if usedEncoder == nil || usedEncoder !== encoder {
            refuse(arg(3).span ?? span, "the \(role) does not score with the trained encoder's virtual tokens")
        }
        guard case let .string(source) = try value(arg(4)) else { return nil }
        let template: PromptTemplate
        do { template = try PromptTemplate(source) } catch {
            refuse(arg(4).span ?? span, "the template \(Value.quote(source)): \(error)")
            return nil
        }
        if template.virtualTokenCount != 0 && !template.isPrepending {
            refuse(arg(4).span ?? span, "the template \(Value.quote(source)) places virtual tokens inside the text; PEFT puts every virtual token before the input")
        }
        var parts: [String?] = []
        for s in template.segments {
            switch s {
            case .virtual: continue
            case let .text(t): parts.append(t)
            case let .field(f):
                guard f == "text" else { refuse(arg(4).span ?? span, "the template reads '{\(f)}'; only '{text}' is filled"); return nil }
                parts.append(nil)
            }
        }
        return Scoring(model: mo, lm: lm, texts: arg(1), words: words, encoder: usedEncoder, template: parts, span: span)
    }

    // MARK: - Parts

    /// The encoder as PEFT builds it, with its weights before the first step.
    mutating func exportedEncoder(_ e: EncoderObject, name: String, at span: SourceSpan) -> TorchExportPlan.Encoder? {
        var hidden: Int?, layers: Int?
        switch e.encoder {
        case let mlp as MLPPromptEncoder:
            hidden = mlp.hiddenSize
        case let lstm as LSTMPromptEncoder:
            if lstm.lstmHead.dropout != nil {
                refuse(span, "the LSTM encoder '\(name)' has dropout, whose random draws PyTorch cannot repeat")
                return nil
            }
            hidden = lstm.lstmHead.hiddenSize
            layers = lstm.lstmHead.numLayers
        case is EmbeddingPromptEncoder:
            break
        case let prefix as PrefixEncoder:
            // PEFT's PREFIX_TUNING: the table, or prefix_projection with encoder_hidden_size H.
            hidden = prefix.projection
        default:
            refuse(span, "the encoder '\(name)' is a \(e.kind.rawValue) encoder, which PEFT does not have")
            return nil
        }
        return TorchExportPlan.Encoder(name: name, kind: e.kind, virtualTokens: e.count, tokenDim: e.dim, hiddenSize: hidden,
                                       lstmLayers: layers, weights: e.parameters.map { ($0.name, $0.value.detached()) })
    }

    /// The rows of every step: each epoch's permutation drawn from a copy of the session's generator, as the block
    /// draws them, cut into batches; the last epoch stops at the total.
    func batches(_ rows: Int, _ settings: TrainSettings) throws -> [[Int]] {
        var g = m.rng
        var out: [[Int]] = []
        for _ in 0..<Swift.max(settings.epochCount, 1) where out.count < settings.total {
            let order = settings.shuffle ? g.permutation(rows) : Array(0..<rows)
            var start = 0
            while start < rows && out.count < settings.total {
                let n = Swift.min(settings.batchSize, rows - start)
                out.append(Array(order[start..<(start + n)]))
                start += n
            }
        }
        return out
    }

    /// The texts and integer labels of two columns of `ds`.
    func split(_ ds: DatasetObject, text: String, label: String) throws -> TorchExportPlan.Split {
        guard case let .list(items)? = ds.column(text) else {
            throw RuntimeFailure(.badArgument(function: "export", "the dataset has no text column '\(text)'"), at: spec.dataSpan)
        }
        guard case let .tensor(t)? = ds.column(label) else {
            throw RuntimeFailure(.badArgument(function: "export", "the dataset has no numeric column '\(label)'"), at: spec.dataSpan)
        }
        let texts = items.compactMap { if case let .string(s) = $0 { s } else { nil } }
        guard texts.count == items.count else {
            throw RuntimeFailure(.badArgument(function: "export", "the column '\(text)' does not hold only strings"), at: spec.dataSpan)
        }
        return TorchExportPlan.Split(texts: texts, labels: t.ints)
    }

    /// The field `batch.NAME` reads, when `e` is that.
    func batchColumn(_ e: CheckedExpr) -> String? {
        guard case let .member(base, name, _) = e, case let .load(.local(slot), _) = base, slot == spec.batchSlot else { return nil }
        return name
    }

    /// `e` with calls of one-expression user functions replaced by their bodies, arguments put in.
    func resolve(_ e: CheckedExpr) -> CheckedExpr {
        guard case let .userCall(callee, _, args, _) = e, case let .load(.global(slot, _), _) = callee, m.initialized[slot],
              case let .function(f) = m.globals[slot], case let .expression(body)? = f.checked?.body,
              args.count == f.parameterNames.count, let inlined = body.substituting(args) else { return e }
        return resolve(inlined)
    }

    /// The value of `e`, run in the block's frame.
    func value(_ e: CheckedExpr) throws -> Value {
        do { return try CodeGen.expression(e)(m) } catch { throw RuntimeFailure.located(error, at: e.span ?? block.span) }
    }

    mutating func refuse(_ span: SourceSpan, _ why: String) {
        refusals.append(Diagnostic(.cannotExport(why), at: span))
    }
}
