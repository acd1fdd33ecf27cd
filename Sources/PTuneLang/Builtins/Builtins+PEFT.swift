import PTuneCore
import PTuneModels
import PTuneNN

extension BuiltinRegistry {
    /// What `export_peft(e, folder, task:, model:, base_model:, template:)` writes beside the prompt: the task, the
    /// base model's name or folder (`base_model:`, else where `model:` was loaded from), its layers and heads, after
    /// checking that the encoder's tokens fit the model and that PEFT can place them as they were placed.
    static func peftOptions(_ a: Arguments, _ e: EncoderObject, _ m: Machine) throws -> PEFTAdapter.Options {
        var options = PEFTAdapter.Options(taskType: try a.string(2))
        var modelName: String?
        if !a.isNone(3) {
            guard case let .model(mo) = a[3], let pm = mo.frozenModel as? any PretrainedModel else {
                throw RuntimeFailure(a.mismatch(3, "a pretrained model (load(…))"))
            }
            if let prefix = e.encoder as? PrefixEncoder {
                guard prefix.layout == pm.prefixLayout else {
                    throw RuntimeFailure(.badArgument(function: "export_peft",
                        "the prefix encoder was made for \(prefix.layout), the model '\(mo.summary)' has \(pm.prefixLayout.map(\.description) ?? "no attention layers")"))
                }
            } else if pm.tokenDim != e.dim {
                throw RuntimeFailure(.badArgument(function: "export_peft",
                    "the encoder makes \(e.dim)-wide tokens but the model '\(mo.summary)' takes \(pm.tokenDim)-wide ones"))
            }
            if let lm = pm as? DecoderModel {
                options.numLayers = lm.config.layers
                // A prefix's keys and values have the key/value heads (PEFT's config says so for grouped-query models).
                options.numAttentionHeads = e.kind.isDeep ? lm.config.kvHeads : lm.config.heads
            } else if let bert = pm as? BERTModel {
                options.numLayers = bert.config.layers
                options.numAttentionHeads = bert.config.heads
            }
            options.baseModel = mo.origin
            modelName = mo.summary
        }
        if !a.isNone(4) { options.baseModel = try a.string(4) }
        if options.baseModel == nil {
            let why = modelName.map { "'\($0)' was loaded from a GGUF file, which transformers does not load as a base model" }
                ?? "no 'model:' was given"
            m.output.note("note: export_peft: \(why), so base_model_name_or_path stays empty and PEFT's AutoPeftModel cannot find the base model; pass base_model: \"org/name\" (or a Hugging Face folder)")
        }
        // PEFT puts every virtual token before the input: any other placement would be silently lost.
        let given = a.isNone(5) ? nil : try a.string(5)
        if let source = given {
            let template: PromptTemplate
            do { template = try PromptTemplate(source) } catch {
                throw RuntimeFailure(.badArgument(function: "export_peft", "template: \(error)"))
            }
            if template.virtualTokenCount != 0 && !template.isPrepending {
                throw RuntimeFailure(.badArgument(function: "export_peft", unplaceable(source)))
            }
        } else if let used = e.placement {
            throw RuntimeFailure(.badArgument(function: "export_peft",
                unplaceable(used) + "; the encoder was used with it (pass template: with the placement the adapter is for, if it is PEFT's)"))
        }
        return options
    }

    /// Why a template's placement cannot be exported.
    static func unplaceable(_ template: String) -> String {
        "the template \(Value.quote(template)) places virtual tokens after text, which a PEFT adapter cannot express (PEFT puts all of them before the input)"
    }
}
