import Foundation
import Testing
@testable import PTuneLang

/// Runs the script named by the environment variable `PTUNE_SCRATCH` and prints its output and diagnostics (a
/// developer's tool: `PTUNE_SCRATCH=examples/seed.pt swift test --filter scratch`). Does nothing otherwise.
@Test func scratch() throws {
    guard let path = ProcessInfo.processInfo.environment["PTUNE_SCRATCH"] else { return }
    let session = Session(output: OutputSink(write: { print($0) }, note: { print("[note] \($0)") }))
    do { try session.runFile(path) } catch { print(error.description) }
}

