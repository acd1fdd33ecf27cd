import PTuneLang

/// `recipe.json` of an exported project: the plan's settings under the names `train.py` reads.
struct ExportedRecipe: Encodable {
    struct Model: Encodable {
        var requested: String
        var origin: String?
        var summary: String
        var hiddenSize: Int
        var layers: Int
        var heads: Int

        enum CodingKeys: String, CodingKey {
            case requested, origin, summary, layers, heads
            case hiddenSize = "hidden_size"
        }
    }

    struct Encoder: Encodable {
        var name: String
        var kind: String
        var virtualTokens: Int
        var tokenDim: Int
        var hiddenSize: Int?
        var lstmLayers: Int?

        enum CodingKeys: String, CodingKey {
            case name, kind
            case virtualTokens = "virtual_tokens"
            case tokenDim = "token_dim"
            case hiddenSize = "hidden_size"
            case lstmLayers = "lstm_layers"
        }
    }

    struct Optimizer: Encodable {
        var kind: String
        var lr: Double
        var hyperparameters: [String: Double]
    }

    /// A schedule as `lr_factor` in train.py reads it: `constant`, `warmup_constant`, `linear`, `cosine`.
    struct Schedule: Encodable {
        var kind: String
        var warmup: Int
        var total: Int
        var cycles: Double

        init(_ s: TorchExportPlan.Schedule) {
            (kind, warmup, total, cycles) = (s.kind, s.warmup, s.total, s.cycles)
        }
    }

    var ptuneVersion: String
    var location: String
    var block: String
    var seed: UInt64
    var model: Model
    var encoder: Encoder
    var template: [String?]
    var labelWords: [String]
    var labelTokenIDs: [Int]
    var loss: String
    var batchSize: Int
    var stepsPerEpoch: Int
    var totalSteps: Int
    var epochs: Int
    var optimizer: Optimizer
    var schedule: Schedule?
    var clip: Double?
    var eval: String?
    var evalEvery: Int?
    var goal: String
    var patience: Int?
    var restoreBest: Bool
    var logEvery: Int?
    var checkpointEvery: Int?
    var checkpointFile: String?

    enum CodingKeys: String, CodingKey {
        case location, block, seed, model, encoder, template, loss, epochs, optimizer, schedule, clip, eval, goal, patience
        case ptuneVersion = "ptune_version"
        case labelWords = "label_words"
        case labelTokenIDs = "label_token_ids"
        case batchSize = "batch_size"
        case stepsPerEpoch = "steps_per_epoch"
        case totalSteps = "total_steps"
        case evalEvery = "eval_every"
        case restoreBest = "restore_best"
        case logEvery = "log_every"
        case checkpointEvery = "checkpoint_every"
        case checkpointFile = "checkpoint_file"
    }

    /// Nil values are written as `null` (train.py reads every key).
    func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ptuneVersion, forKey: .ptuneVersion)
        try c.encode(location, forKey: .location)
        try c.encode(block, forKey: .block)
        try c.encode(seed, forKey: .seed)
        try c.encode(model, forKey: .model)
        try c.encode(self.encoder, forKey: .encoder)
        try c.encode(template, forKey: .template)
        try c.encode(labelWords, forKey: .labelWords)
        try c.encode(labelTokenIDs, forKey: .labelTokenIDs)
        try c.encode(loss, forKey: .loss)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(stepsPerEpoch, forKey: .stepsPerEpoch)
        try c.encode(totalSteps, forKey: .totalSteps)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(clip, forKey: .clip)
        try c.encode(eval, forKey: .eval)
        try c.encode(evalEvery, forKey: .evalEvery)
        try c.encode(goal, forKey: .goal)
        try c.encode(patience, forKey: .patience)
        try c.encode(restoreBest, forKey: .restoreBest)
        try c.encode(logEvery, forKey: .logEvery)
        try c.encode(checkpointEvery, forKey: .checkpointEvery)
        try c.encode(checkpointFile, forKey: .checkpointFile)
    }

    init(_ p: TorchExportPlan, version: String) {
        ptuneVersion = version
        location = p.location
        block = p.blockName
        seed = p.seed
        model = Model(requested: p.model.requested, origin: p.model.origin, summary: p.model.summary,
                      hiddenSize: p.model.hiddenSize, layers: p.model.layers, heads: p.model.heads)
        encoder = Encoder(name: p.encoder.name, kind: p.encoder.kind.rawValue, virtualTokens: p.encoder.virtualTokens,
                          tokenDim: p.encoder.tokenDim, hiddenSize: p.encoder.hiddenSize, lstmLayers: p.encoder.lstmLayers)
        template = p.template
        labelWords = p.labelWords
        labelTokenIDs = p.labelTokenIDs
        loss = p.loss
        batchSize = p.batchSize
        stepsPerEpoch = p.stepsPerEpoch
        totalSteps = p.batches.count
        epochs = p.epochs
        optimizer = Optimizer(kind: p.optimizer.kind.rawValue, lr: p.optimizer.learningRate, hyperparameters: p.optimizer.hyperparameters)
        schedule = p.scheduleParts.map(Schedule.init)
        clip = p.clip
        eval = p.eval == nil ? nil : "accuracy"
        evalEvery = p.evalEvery
        goal = p.goalIsMax ? "max" : "min"
        patience = p.patience
        restoreBest = p.restoreBest
        logEvery = p.logEvery
        checkpointEvery = p.checkpointEvery
        checkpointFile = p.checkpointFile
    }
}
