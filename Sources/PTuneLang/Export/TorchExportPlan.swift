import PTuneCore
import PTuneNN

/// What a recipe's first `train` block does, as plain values a PyTorch + PEFT project can be written from: the
/// frozen model, the encoder and its initial weights, the template and label words, the data and the rows of every
/// step, the loss, optimizer, schedule, clipping, evaluation, logging and checkpoint cadences. Made by
/// ``Session/captureTraining(_:)`` before the block takes a step, so its numbers are the ones ptune would start from.
public struct TorchExportPlan {
    /// The frozen causal language model the label words are scored with.
    public struct Model {
        /// How the recipe named it (`smollm2-135m`, a path).
        public var requested: String
        /// Where transformers finds it (a Hugging Face repository or folder), when known.
        public var origin: String?
        /// `smollm2-135m (llama, dim 576, 30 layers, …)`.
        public var summary: String
        /// Hidden width, layers and attention heads.
        public var hiddenSize: Int
        public var layers: Int
        public var heads: Int
    }

    /// The trained prompt encoder.
    public struct Encoder {
        /// The recipe's name for it.
        public var name: String
        /// `mlp`, `lstm` or `embedding` (PEFT's P_TUNING MLP/LSTM, PROMPT_TUNING).
        public var kind: PromptEncoderKind
        /// Virtual tokens n and their width d.
        public var virtualTokens: Int
        public var tokenDim: Int
        /// The MLP's or LSTM's hidden width H (nil for an embedding table).
        public var hiddenSize: Int?
        /// LSTM layers (nil for the others).
        public var lstmLayers: Int?
        /// The parameters before the first step, by PEFT's names (`embedding.weight`, `mlp_head.0.weight`, …).
        public var weights: [(name: String, value: Tensor)]
    }

    /// The optimizer with PyTorch's hyperparameter names.
    public struct Optimizer {
        /// `adam`, `adamw` or `sgd`.
        public var kind: OptimizerKind
        /// The base learning rate.
        public var learningRate: Double
        /// `beta1`, `beta2`, `eps`, `weight_decay` (Adam, AdamW); `momentum`, `dampening`, `weight_decay`,
        /// `nesterov` (SGD).
        public var hyperparameters: [String: Double]
    }

    /// One scored split: texts and integer labels.
    public struct Split {
        public var texts: [String]
        public var labels: [Int]
    }

    /// Where the block is (`recipe.pt:31:1`) and what it trains (`pe`).
    public var location: String
    public var blockName: String
    /// The seed the session's generator had when the script started.
    public var seed: UInt64
    public var model: Model
    public var encoder: Encoder
    /// The template's pieces after the virtual tokens (which all go first, as PEFT puts them): literal text, and
    /// nil where the example's text goes.
    public var template: [String?]
    /// The label words in label order, and their token ids in ptune's tokenizer.
    public var labelWords: [String]
    public var labelTokenIDs: [Int]
    /// The training rows, and the rows (indices into them) of every step in order.
    public var train: Split
    public var batches: [[Int]]
    /// The rows per batch, steps per epoch, steps in all and epochs they span.
    public var batchSize: Int
    public var stepsPerEpoch: Int
    public var totalSteps: Int
    public var epochs: Int
    /// The loss over a batch's label logits (`cross_entropy`, mean over rows).
    public var loss: String
    public var optimizer: Optimizer
    /// The schedule over `totalSteps` (nil: constant rate).
    public var schedule: LRSchedule?
    /// The global gradient-norm clip.
    public var clip: Double?
    /// The evaluated split (accuracy of the label logits), its cadence, and which way it improves.
    public var eval: Split?
    public var evalEvery: Int?
    public var goalIsMax: Bool
    /// Early stopping after this many evals without improvement, and whether the best weights are kept.
    public var patience: Int?
    public var restoreBest: Bool
    /// The log-line cadence and the checkpoint cadence (and the checkpoint's file name), in steps.
    public var logEvery: Int?
    public var checkpointEvery: Int?
    public var checkpointFile: String?
}

extension TorchExportPlan {
    /// A schedule as numbers: `constant`, `warmup_constant`, `linear` or `cosine`, its warm-up, the steps it spans
    /// and its cycles (as transformers' `get_*_schedule_with_warmup` take them).
    public struct Schedule {
        public var kind: String
        public var warmup: Int
        public var total: Int
        public var cycles: Double
    }

    /// ``schedule`` as numbers.
    public var scheduleParts: Schedule? {
        switch schedule {
        case nil: return nil
        case .constant?: return Schedule(kind: "constant", warmup: 0, total: 0, cycles: 0)
        case let .warmupConstant(w)?: return Schedule(kind: "warmup_constant", warmup: w, total: 0, cycles: 0)
        case let .linear(w, n)?: return Schedule(kind: "linear", warmup: w, total: n, cycles: 0)
        case let .cosine(w, n, c)?: return Schedule(kind: "cosine", warmup: w, total: n, cycles: c)
        }
    }
}

/// What capturing a recipe's training gave: the plan, or every construct the PyTorch side cannot express, each at
/// its place in the recipe.
public enum TrainCapture {
    case plan(TorchExportPlan)
    case refused([Diagnostic])
}
