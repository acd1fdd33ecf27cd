import ArgumentParser
import PTuneRun

/// `ptune export`: hand a recipe to another engine.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a recipe's training to another engine: 'torch' writes a PyTorch + PEFT + accelerate project.",
        subcommands: [ExportTorchCommand.self])
}

/// `ptune export torch RECIPE.pt OUT/`: the recipe's first `train` block as a runnable PyTorch + PEFT project.
struct ExportTorchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "torch",
        abstract: "Write OUT as a PyTorch + transformers + PEFT + accelerate project that trains the recipe's prompt encoder as ptune would.",
        discussion: """
        The recipe runs up to its first train block (with --set and --seed); the block is read instead of run. OUT \
        gets train.py (no ptune needed), requirements.txt, README.md, recipe.json, the encoder's initial weights \
        (encoder_init.safetensors), the data and the rows of every step (data/). A construct PEFT cannot express \
        (virtual tokens inside the text, a custom loss, several things trained, resume:) is reported with its place, \
        and nothing is written. OUT is replaced only when it is empty or an earlier export.

        EXAMPLES
          ptune export torch examples/sentiment.pt out/sentiment
          ptune export torch --set train_n=400 --set epochs=1 examples/sentiment.pt out/small
          python out/sentiment/train.py --model path/to/float32-folder
          accelerate launch out/sentiment/train.py
        """)

    @OptionGroup var options: CommonOptions

    @Argument(help: ArgumentHelp("The recipe.", valueName: "RECIPE"))
    var file: String

    @Argument(help: ArgumentHelp("The project folder to write.", valueName: "OUT"))
    var out: String

    func run() throws {
        throw ExitCode(Launcher(options: options).runner.exportTorch(file, to: out))
    }
}
