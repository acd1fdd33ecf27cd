import Foundation
import PTuneFuzz

#if PTUNE_LIBFUZZER
/// The harness this process fuzzes, from `PTUNE_FUZZ_TARGET` (read once).
let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["PTUNE_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("ptune-fuzz: set PTUNE_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    FuzzSandbox.isolateModelCache()
    return t
}()

/// libFuzzer's entry point: one input through the chosen harness.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    fuzzTarget.run(bytes)
    return 0
}

/// libFuzzer's driver (in the fuzzer runtime that `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// SwiftPM links executables with `main` pointing at `<module>_main` (so tests can link them), which keeps
/// libFuzzer's own `main` out: this is that entry point, and it starts libFuzzer's driver.
@_cdecl("ptune_fuzz_main")
public func ptuneFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, { data, size in fuzzOneInput(data, size) })
}
#else
/// Without libFuzzer: `ptune-fuzz TARGET FILE…` replays inputs through a harness (a crash reproduces as it did
/// under the fuzzer) and prints each one's outcome, `FILE: accepted` or `FILE: rejected: MESSAGE`;
/// `ptune-fuzz program FILE` prints the program the interpreter harness runs for an input (generated from it, or
/// its text); `ptune-fuzz save-loop DIR` runs the crash-safety test's saver.
@main
struct FuzzDriver {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "save-loop", args.count == 2 {
            SaveLoop.run(folder: args[1])
        }
        if args.first == "program", args.count == 2 {
            guard let data = FileManager.default.contents(atPath: args[1]), let text = LanguageHarness.program(Array(data)) else {
                FileHandle.standardError.write(Data("ptune-fuzz: cannot read '\(args[1])', or it is empty\n".utf8))
                exit(2)
            }
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            exit(0)
        }
        if args.first == "open", args.count == 2 {
            do {
                try FileHarness.open(path: args[1])
                print("\(args[1]): ok")
                exit(0)
            } catch {
                FileHandle.standardError.write(Data("\(args[1]): error: \(error)\n".utf8))
                exit(1)
            }
        }
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: ptune-fuzz (\(names)) FILE…\n       ptune-fuzz program FILE\n       ptune-fuzz open MODEL.gguf|MODEL.safetensors\n       ptune-fuzz save-loop DIR\n".utf8))
            exit(2)
        }
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("ptune-fuzz: cannot read '\(path)'\n".utf8))
                exit(2)
            }
            // Unbuffered, so a crash on the next input leaves this line behind.
            let outcome = target.run(Array(data))
            FileHandle.standardOutput.write(Data("\(path): \(outcome)\n".utf8))
        }
    }
}
#endif
