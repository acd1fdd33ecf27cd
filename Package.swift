// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ptune",
    // MARK: - Products
    products: [
        .executable(name: "ptune", targets: ["ptune"]),
        .executable(name: "ptune-bench", targets: ["PTuneBench"]),
        .library(name: "PTuneCore", targets: ["PTuneCore"]),
        .library(name: "PTuneNN", targets: ["PTuneNN"]),
        .library(name: "PTuneModels", targets: ["PTuneModels"]),
        .library(name: "PTuneLang", targets: ["PTuneLang"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    // MARK: - Internal targets
    targets: [
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CReadline", pkgConfig: "readline", providers: [.apt(["libreadline-dev"])]),
        // Integer dot products over quantized weight blocks (AVX2, AVX-512 VNNI, portable; chosen at run time) and
        // vectorised block decoders: C, because per-function instruction-set targets and the byte-dot intrinsics are
        // not expressible in Swift. Optimised in debug builds too; no fused multiply-add contraction, so decoded
        // values are bit for bit those of PTuneCore's BlockFormat decoders.
        .target(name: "CPTuneKernels",
                cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        .target(
            name: "PTuneCore", dependencies: ["COpenBLAS", "CPTuneKernels"],
            // The hot path touches autodiff-node fields millions of times a second; the checks cost ~8% there.
            // Numeric kernels are 10–100x slower unoptimised (generic and SIMD arithmetic become calls), which would
            // make the reference-workload tests take minutes: debug builds optimise the numeric modules too.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
                            .unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(name: "PTuneNN", dependencies: ["PTuneCore"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
                                .unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Tokenizers and weight conversion run over whole vocabularies (Gemma's has 262,144 tokens): optimised in
        // debug builds too, or the tokenizer tests take minutes.
        .target(name: "PTuneModels", dependencies: ["PTuneNN", "PTuneCore"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "PTuneLang", dependencies: ["PTuneModels", "PTuneNN", "PTuneCore"]),
        // The run layer: script runner, run records, progress, exit statuses; the front ends below build on it.
        .target(name: "PTuneRun", dependencies: ["PTuneLang", "PTuneNN", "PTuneCore"]),
        .target(name: "PTuneREPL", dependencies: ["PTuneRun", "PTuneLang", "PTuneCore", "CReadline"]),
        // The language server (`ptune lsp`): the protocol over standard input and output, on the checker's analysis of
        // each open document and the REPL's completion engine.
        .target(name: "PTuneLSP", dependencies: ["PTuneREPL", "PTuneLang", "PTuneCore"]),
        // The notebook front end beside the REPL: `ptune machine` (JSON lines over stdio) and the Jupyter kernel
        // (ZMTP and the Jupyter wire protocol, in Swift), on the REPL's entries, completion and inspection.
        .target(name: "PTuneKernel", dependencies: ["PTuneREPL", "PTuneRun", "PTuneLang", "PTuneCore"]),
        .executableTarget(
            name: "ptune",
            dependencies: ["PTuneLSP", "PTuneKernel", "PTuneREPL", "PTuneRun", "PTuneLang", "PTuneNN", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The shared reference workloads W1–W3 rebuilt on PTuneNN: what the bench times and the trace tests check.
        .target(name: "PTuneWorkloads", dependencies: ["PTuneNN", "PTuneCore"]),
        .executableTarget(name: "PTuneBench", dependencies: ["PTuneWorkloads", "PTuneKernel", "PTuneREPL", "PTuneModels", "PTuneNN", "PTuneCore", "PTuneLang", "COpenBLAS", "CPTuneKernels"]),
        // Fuzzing (scripts/fuzz): the harnesses as a library the regression tests share, and the libFuzzer driver
        // (built with -sanitize=fuzzer,address -DPTUNE_LIBFUZZER; otherwise it replays inputs and runs the saver).
        .target(name: "PTuneFuzz", dependencies: ["PTuneLang", "PTuneModels", "PTuneNN", "PTuneCore"]),
        .executableTarget(name: "ptune-fuzz", dependencies: ["PTuneFuzz"], path: "Sources/PTuneFuzzDriver"),
        // MARK: - Tests
        .testTarget(name: "PTuneCoreTests", dependencies: ["PTuneCore"]),
        .testTarget(name: "PTuneNNTests", dependencies: ["PTuneWorkloads", "PTuneNN", "PTuneCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PTuneModelsTests", dependencies: ["PTuneLang", "PTuneModels", "PTuneNN", "PTuneCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PTuneLangTests", dependencies: ["PTuneLang", "PTuneModels", "PTuneNN", "PTuneCore"], resources: [.copy("Golden")]),
        .testTarget(name: "PTuneRunTests", dependencies: ["PTuneRun", "PTuneLang"]),
        .testTarget(name: "PTuneREPLTests", dependencies: ["PTuneREPL", "PTuneRun", "PTuneLang"]),
        .testTarget(name: "PTuneKernelTests", dependencies: ["PTuneKernel", "PTuneREPL", "PTuneRun", "PTuneLang", "PTuneCore"]),
        .testTarget(name: "PTuneLSPTests", dependencies: ["PTuneLSP", "PTuneLang", "PTuneCore"]),
        .testTarget(name: "ptuneTests", dependencies: ["ptune", "ptune-fuzz", "PTuneRun", "PTuneFuzz", "PTuneLang", "PTuneNN", "PTuneCore"],
                    resources: [.copy("BadInput"), .copy("Jupyter")]),
        .testTarget(name: "PTuneFuzzTests", dependencies: ["PTuneFuzz"], resources: [.copy("Regressions")]),
    ],
    swiftLanguageModes: [.v6]
)
