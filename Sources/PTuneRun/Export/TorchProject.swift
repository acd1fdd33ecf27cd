import Foundation
import PTuneCore
import PTuneLang

/// The files of an exported PyTorch + PEFT project, made from a ``TorchExportPlan``:
/// ```
/// train.py                    PyTorch + transformers + PEFT + accelerate (TorchTrainScript), no ptune
/// requirements.txt            the pinned versions it was tested with
/// README.md                   the commands, and what was tested
/// recipe.json                 model, encoder, template, label words, loss, optimizer, schedule, clip, eval, cadences
/// encoder_init.safetensors    the encoder's weights before the first step, by PEFT's names
/// data/train.jsonl            the training rows ({"text", "label"}), in the dataset's order
/// data/batches.json           the rows of every step, one list per step
/// data/eval.jsonl             the evaluated rows, when the block evaluates
/// ```
struct TorchProject {
    let plan: TorchExportPlan
    /// The recipe's file name.
    let recipe: String
    let version: String

    /// The pinned packages of requirements.txt: the versions the export is tested with.
    static let requirements = [
        "torch==2.13.0", "transformers==5.24.0", "peft==0.21.2", "accelerate==1.15.0", "safetensors==0.8.0",
        "tokenizers==0.23.3", "numpy==2.4.6",
    ]

    /// Whether a folder holding `names` may be replaced: empty, or an earlier export.
    static func replaceable(_ names: [String]) -> String? {
        if names.isEmpty || (names.contains("train.py") && names.contains("recipe.json")) { return nil }
        return "it is not empty and not an earlier export (no train.py and recipe.json); choose another folder"
    }

    /// One JSON line per row.
    struct Row: Encodable {
        let text: String
        let label: Int
    }

    func write(into staging: AtomicFolder.Staging) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func lines(_ split: TorchExportPlan.Split) throws -> Data {
            var out = Data()
            for (text, label) in zip(split.texts, split.labels) {
                out += try encoder.encode(Row(text: text, label: label))
                out += Data("\n".utf8)
            }
            return out
        }
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try staging.write(Data(TorchTrainScript.text(recipe: "\(recipe) ('\(plan.blockName)', \(plan.location))").utf8), named: "train.py")
        try staging.write(Data((TorchProject.requirements.joined(separator: "\n") + "\n").utf8), named: "requirements.txt")
        try staging.write(Data(readme.utf8), named: "README.md")
        try staging.write(try pretty.encode(ExportedRecipe(plan, version: version)) + Data("\n".utf8), named: "recipe.json")
        let weights = Dictionary(plan.encoder.weights.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        try staging.write(try SafeTensors.encode(weights, metadata: ["format": "pt"]), named: "encoder_init.safetensors")
        try staging.write(try lines(plan.train), at: "data/train.jsonl")
        let steps = plan.batches.map { "  [" + $0.map(String.init).joined(separator: ", ") + "]" }
        try staging.write(Data(("[\n" + steps.joined(separator: ",\n") + "\n]\n").utf8), at: "data/batches.json")
        if let eval = plan.eval { try staging.write(try lines(eval), at: "data/eval.jsonl") }
    }

    /// README.md: what the project is, how to run it, and what was tested.
    var readme: String {
        let model = plan.model.origin ?? "(none: pass --model)"
        let evalLine = plan.eval.map { "accuracy of the label words on \($0.texts.count) rows (data/eval.jsonl) every \(plan.evalEvery ?? 0) steps and at the end" } ?? "none"
        return """
            # \(plan.blockName): \(recipe) as a PyTorch + PEFT project

            Exported by `ptune export torch` (ptune \(version)) from the `train` block at \(plan.location). `train.py`
            uses PyTorch, transformers, PEFT and accelerate only; it trains the same prompt encoder from the same
            initial weights on the same rows in every step as ptune would.

            ```
            pip install -r requirements.txt
            python train.py                                  # one process: CPU, or one GPU
            accelerate launch train.py                       # data parallel over the processes `accelerate config` set up
            accelerate launch --multi_gpu --num_processes 2 train.py   # two processes; without GPUs: DDP on CPU over gloo
            python train.py --model NAME_OR_PATH             # another base model: a Hugging Face name or folder
            python train.py --steps 20 --out output-20       # the first 20 steps only
            ```

            | | |
            |---|---|
            | base model | `\(model)` (ptune loaded `\(plan.model.requested)`: \(plan.model.summary)) |
            | encoder | \(encoderLine); initial weights in `encoder_init.safetensors` |
            | template | \(plan.template.map { $0.map { "`\($0.replacingOccurrences(of: "\n", with: "\\n"))`" } ?? "{text}" }.joined()) |
            | label words | \(plan.labelWords.map { "`\($0)`" }.joined(separator: ", ")) (label 0, 1, …; each one token) |
            | loss | cross-entropy of the label words' logits at the last token, mean over the batch |
            | steps | \(plan.batches.count): batches of \(plan.batchSize) rows (`data/batches.json`: the rows of every step) over \(plan.epochs) epoch\(plan.epochs == 1 ? "" : "s") |
            | optimizer | \(plan.optimizer.kind.rawValue), lr \(plan.optimizer.learningRate)\(plan.scheduleParts.map { ", schedule \($0.kind)" } ?? ""), clip \(plan.clip.map { "\($0)" } ?? "none") |
            | eval | \(evalLine) |

            With several processes, every step still takes the batch of `data/batches.json`: each process scores
            every N-th row of it and the gradients are averaged, so the effective batch is the recipe's.

            `train.py` writes to `output/` (or `--out`): `adapter/` (a PEFT adapter: `PeftModel.from_pretrained`, or
            ptune's `import_peft("output/adapter")`), `metrics.csv` (the loss of every step), `record.json` (ptune's
            run record: `ptune runs table output` reads it) and, when the recipe asks for them, checkpoints.

            The initial weights and the batch order make the losses equal ptune's only on the same numbers: ptune
            loaded `\(plan.model.requested)`; when that is a quantized GGUF file, run with `--model` set to its
            float32 Hugging Face conversion. Another base model (a different width) starts the encoder from PEFT's own
            random weights.

            ## What was tested

            ptune's test suite exports a cut-down copy of its SmolLM2 sentiment recipe (20 steps of 4 rows) and runs
            this project on CPU only. With the learning rate set to 0, `python train.py` and `accelerate launch
            --multi_gpu --num_processes 2 train.py` (two processes, DDP over gloo) reproduce ptune's loss at every step
            to 1e-3 relative and its accuracy, and the saved adapter imports into ptune with the accuracy PEFT computed;
            at the recipe's own rate the first two AdamW steps agree to 1e-3. Beyond the first few updates float32
            rounding is amplified by training in any implementation (PyTorch against itself, initial weights perturbed
            by 1e-6, differs by 7% at step 6), so longer runs agree in accuracy only statistically. GPUs, FSDP and
            DeepSpeed were not tested: `train.py` takes its device from accelerate and needs no edits for them.

            """
    }

    /// The encoder's row of the README table: virtual tokens before the input, or a prefix in every layer.
    var encoderLine: String {
        let e = plan.encoder
        if e.kind == .prefix {
            return "prefix: \(e.virtualTokens) positions of keys and values in every attention layer (PEFT's PREFIX_TUNING)"
                + (e.hiddenSize.map { ", projection \($0)" } ?? ", a plain table")
        }
        return "\(e.kind.rawValue): \(e.virtualTokens) virtual tokens × \(e.tokenDim)" + (e.hiddenSize.map { ", hidden \($0)" } ?? "")
            + ", all before the input (PEFT's placement)"
    }
}
