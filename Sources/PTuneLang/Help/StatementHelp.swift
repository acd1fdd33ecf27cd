/// The statements `:help KEYWORD` explains, each with its form, its meaning and an example: the grammar's statement
/// words as a reader meets them.
public enum StatementHelp: String, CaseIterable, Sendable {
    case seed, dtype, dim, `let`, param, frozen, model, encoder, data, fn, `if`, `for`, `while`, train, print, assert
    case save, load, `import`, `return`, `break`, `continue`

    /// How the statement is written.
    public var form: String {
        switch self {
        case .seed: return "seed N"
        case .dtype: return "dtype float32|float64"
        case .dim: return "dim NAME = N"
        case .let: return "let NAME = EXPR"
        case .param: return "param NAME = EXPR"
        case .frozen: return "frozen NAME = EXPR"
        case .model: return "model NAME = EXPR [frozen]"
        case .encoder: return "encoder NAME = EXPR"
        case .data: return "data NAME = EXPR"
        case .fn: return "fn NAME(ARGS) = EXPR  |  fn NAME(ARGS) { … return EXPR }  |  fn(ARGS) = EXPR as a value"
        case .if: return "if COND { … } else { … }"
        case .for: return "for NAME in EXPR { … }"
        case .while: return "while COND { … }"
        case .train: return "train NAMES on DATA { loss: …  optimizer: …  batch: …  epochs: … }"
        case .print: return "print EXPR, …"
        case .assert: return "assert COND, \"message\""
        case .save: return "save EXPR to \"PATH\""
        case .load: return "load NAME from \"PATH\""
        case .import: return "import \"FILE.pt\""
        case .return: return "return [EXPR]"
        case .break: return "break"
        case .continue: return "continue"
        }
    }

    /// What it does.
    public var meaning: String {
        switch self {
        case .seed: return "fix every random draw that follows (inits, shuffles, dropout, synthetic data)"
        case .dtype: return "the dtype of new float tensors"
        case .dim: return "a named integer dim, usable in shapes and arithmetic; checked by name"
        case .let: return "a value (reassign with NAME = EXPR); 'let h = train …' keeps the training history"
        case .param: return "a trainable tensor: optimizers update it"
        case .frozen: return "a constant tensor; train verifies it is unchanged"
        case .model: return "a layer or network; 'frozen' fixes its weights"
        case .encoder: return "a prompt encoder: the trained virtual tokens"
        case .data: return "a dataset with named columns"
        case .fn: return "a function; in a block a local one that sees the locals around it; fn(ARGS) = EXPR is a function value (let sq = fn(x) = x * x)"
        case .if: return "run a block when COND holds"
        case .for: return "loop over a range (1..10 includes 10, 0..<10 does not), a list or a dataset's batches"
        case .while: return "loop while COND holds"
        case .train:
            return "a training loop over DATA's batches (options: loss, optimizer, batch, epochs or steps, shuffle, eval, eval_data, early stopping, clip, log, checkpoint, resume); several tasks: train a record of encoders, one per task, with task: naming each row's task (train tasks on mixed { task: batch.task … }, where 'task' is the task of the rows in 'batch')"
        case .print: return "print values separated by spaces"
        case .assert: return "stop with an error (exit status 1) unless COND holds"
        case .save: return "write a tensor, param, model's weights or encoder to a file (safetensors; the REPL command :save is another thing)"
        case .load: return "read what save wrote back into a declared name (the REPL command :load is another thing)"
        case .import: return "run another script's declarations here"
        case .return: return "leave a function with a value"
        case .break: return "leave the innermost loop"
        case .continue: return "go on with the next iteration"
        }
    }

    /// A line of ptune that uses it.
    public var example: String {
        switch self {
        case .seed: return "seed 42"
        case .dtype: return "dtype float64"
        case .dim: return "dim embed = 64"
        case .let: return "let lr = 1e-3"
        case .param: return "param w = randn(embed, out)"
        case .frozen: return "frozen llm = randn(embed, out)"
        case .model: return "model head = linear(embed -> 8) frozen"
        case .encoder: return "encoder pe = mlp(virtual, embed, hidden: 256)"
        case .data: return "data train = synthetic_classes(n: 1024, seq: 16, dim: embed, classes: 8)"
        case .fn: return "fn forward() = concat(base * encoder, x) @ llm"
        case .if: return "if loss < 0.1 { print \"done\" }"
        case .for: return "for step in 1..100 { opt.step(loss()) }"
        case .while: return "while opt.steps < 100 { opt.step(loss()) }"
        case .train: return "let run = train pe on train { loss: cross_entropy(predict(batch.x), batch.y); optimizer: adam(lr: 1e-3) }"
        case .print: return "print \"loss\", mse(forward(), target)"
        case .assert: return "assert loss < 0.5, \"did not learn\""
        case .save: return "save encoder to \"encoder.safetensors\""
        case .load: return "load encoder from \"encoder.safetensors\""
        case .import: return "import \"common.pt\""
        case .return: return "fn f(x) { return x * 2 }"
        case .break: return "for i in 1..10 { if i > 3 { break } }"
        case .continue: return "for i in 1..10 { if i % 2 == 0 { continue } }"
        }
    }
}
