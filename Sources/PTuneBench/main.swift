import Foundation
import PTuneCore
import PTuneModels

// ptune-bench: the figures behind scripts/bench. `ptune-bench [core|nn|lang|models|llm|gemma|kernel|all] [--threads N]
// [--baselines DIR] [--peft-anchor DIR]` prints tables (`llm-step` profiles ten SmolLM2 steps, `llm-sentiment` runs
// the whole recipe from Swift); every comparison with numpy/PyTorch is measured in this same run and printed as a
// ratio, when the baseline scripts are given (`--baselines`, or `$PTUNE_BASELINES`; the PEFT anchor: `--peft-anchor`,
// or `$PTUNE_PEFT_ANCHOR`).

var sections = Set<String>()
var threads = 2
var baselinesOption: String? = nil, peftOption: String? = nil
var args = Array(CommandLine.arguments.dropFirst())
while let a = args.first {
    args.removeFirst()
    switch a {
    case "--threads":
        guard let n = args.first.flatMap(Int.init), n > 0 else { print("--threads needs a positive number"); exit(64) }
        threads = n
        args.removeFirst()
    case "--baselines", "--peft-anchor":
        guard let dir = args.first else { print("\(a) needs a folder"); exit(64) }
        if a == "--baselines" { baselinesOption = dir } else { peftOption = dir }
        args.removeFirst()
    default:
        sections.insert(a)
    }
}
// A child of the memory table: one configuration in a process of its own (see LlamaMemoryBench).
if let i = CommandLine.arguments.firstIndex(of: "llm-memory-child"), i + 1 < CommandLine.arguments.count {
    BLAS.setThreads(threads)
    do { try LlamaMemoryBench.runChild(CommandLine.arguments[i + 1]) } catch { print("llm-memory-child: error: \(error)"); exit(1) }
    exit(0)
}
let baselines = Baselines(option: baselinesOption)
let peft = PEFTBaseline(option: peftOption)
if sections.isEmpty || sections.contains("all") { sections = ["core", "nn", "lang", "quant", "models", "llm", "lsp", "kernel", "gemma"] }
BLAS.setThreads(threads)
setenv("OMP_NUM_THREADS", "\(threads)", 1)

@MainActor func section(_ name: String, _ body: () throws -> Void) {
    guard sections.contains(name) else { return }
    do { try body() } catch { print("\(name): error: \(error)") }
}

print("# ptune-bench — \(threads) BLAS threads, \(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS kernels \(BLAS.kernels)")
print("# \(baselines.scripts.summary)")
print("# \(peft.scripts.summary)")

section("core") {
    var mm = try CoreBench.matmul(sizes: [64, 128, 256, 512, 1024])
    let numpy = baselines.numpyGFLOPS(sizes: [64, 128, 256, 512, 1024], threads: threads)
    if !numpy.isEmpty {
        mm = Table(title: mm.title, header: mm.header + ["numpy f64 GFLOPS"],
                   rows: mm.rows.map { r in r + [r[1] == "float64" ? fmt(numpy[Int(r[0]) ?? 0] ?? .nan) : ""] })
    }
    print(mm.render())
    var over = try CoreBench.overhead()
    if let np = baselines.stepsPerSecond("w1_seed_numpy.py") {
        over.add(["W1 numpy hand-written gradient (same run)", fmt(1e9 / np, 0), grouped(np)])
    }
    if baselines.hasTorch, let pt = baselines.stepsPerSecond("w1_seed_torch.py", ["--threads", "\(threads)"]) {
        over.add(["W1 PyTorch autograd (same run)", fmt(1e9 / pt, 0), grouped(pt)])
    }
    print(over.render())
    print(try CoreBench.elementwise().render())
}

section("nn") {
    print(try ReferenceWorkloads.table(threads: threads, baselines: baselines).render())
}
// One workload alone, ptune only, 5 runs (for profiling: `perf record ptune-bench w3`).
for w in ["w1", "w2", "w3"] {
    section(w) { print(try ReferenceWorkloads.table(threads: threads, runs: 5, only: [w], baselines: nil).render()) }
}

section("lang") {
    print(try LangBench.run(baselines: baselines).render())
}

section("quant") {
    for t in try QuantBench.run() { print(t.render()) }
}

section("models") {
    print(try ModelsBench.run().render())
}

section("llm") {
    for t in try LlamaBench.run(threads: threads, peft: peft) { print(t.render()) }
}
// The inference table alone, beside llama.cpp's figures (scripts/bench builds the anchor for this section too).
section("llm-infer") {
    if let t = try LlamaBench.inference(threads: threads) { print(t.render()) }
}
section("gemma") {
    for t in try GemmaBench.run(threads: threads) { print(t.render()) }
}
section("lsp") {
    for t in try LSPBench.run() { print(t.render()) }
}
section("kernel") {
    let repo = ProcessInfo.processInfo.environment["PTUNE_REPO"] ?? FileManager.default.currentDirectoryPath
    print(try KernelBench.table(binary: repo + "/.build/release/ptune").render())
}
// The step's products alone against OpenBLAS on the same shapes, interleaved (a quick A/B between builds).
section("llm-products") {
    print(try LlamaProductBench.table(try DecoderModel(gguf: try GGUFFile(path: LlamaBench.modelPath))).render())
}
section("llm-step") { try LlamaBench.profileSteps(count: 10, peft: peft, threads: threads) }
section("llm-sentiment") { try LlamaSentiment.run() }
section("llm-decode") {
    let file = try GGUFFile(path: LlamaBench.modelPath)
    let prompt = try LlamaBench.decodePrompt(file)
    let model = try DecoderModel(gguf: file)
    print(try LlamaDecodeProfile.table(model: model, name: "weights in their blocks, float32 activations", prompt: prompt).render())
    print(try LlamaDecodeProfile.table(model: model, name: "weights in their blocks, 8-bit activations", prompt: prompt, activations: .int8).render())
    if sections.contains("dense") {
        print(try LlamaDecodeProfile.table(model: try DecoderModel(gguf: file, storage: .float32), name: "weights decoded to float32", prompt: prompt).render())
    }
}
// The decoding step's kernels one by one, each variant against the other in this process, then Gemma-3-270M's
// quantized products by the 256-bit and the 512-bit kernels.
section("llm-kernels") {
    for t in try DecodeKernelBench.tables(model: try DecoderModel(gguf: try GGUFFile(path: LlamaBench.modelPath))) { print(t.render()) }
    print(try GemmaKernelBench.table().render())
}
// Gemma-3-270M batch-1 decoding beside llama.cpp on the same file (`PTUNE_LLAMA_CPP`, as llm-infer).
section("gemma-decode") {
    if let t = try GemmaBench.decode(threads: threads) { print(t.render()) }
}
// Decoding alone, for profiling (`perf record ptune-bench llm-decode-loop`): 5 × 200 tokens after a 4-token prompt.
section("llm-decode-loop") {
    let model = try DecoderModel(gguf: try GGUFFile(path: LlamaBench.modelPath))
    for _ in 0..<5 { _ = try model.generate([1, 504, 3303, 2821], maxTokens: 200) }
}
