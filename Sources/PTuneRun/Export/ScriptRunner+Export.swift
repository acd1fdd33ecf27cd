import Foundation
import PTuneCore
import PTuneLang

extension ScriptRunner {
    /// `ptune export torch RECIPE OUT`: runs the recipe up to its first `train` block (with the settings' `--set` and
    /// `--seed`), reads that block instead of running it, and writes OUT as a PyTorch + PEFT project (see
    /// ``TorchProject``). Every construct the PyTorch side cannot express is reported, one located line each, and
    /// nothing is written; OUT is replaced only when it is an earlier export.
    public func exportTorch(_ path: String, to out: String) -> ExitStatus {
        guard FileManager.default.isReadableFile(atPath: path), !ScriptRunner.isFolder(path) else {
            console.err("ptune: error: cannot read '\(path)': \(ScriptRunner.readFailure(path))\n")
            return .usage
        }
        let target = (ScriptRunner.absolute(out) as NSString).standardizingPath
        do { try AtomicFolder.prepare(target, shownAs: out, makeParents: true, replacing: TorchProject.replaceable) } catch {
            console.err("ptune: error: \(error)\n")
            return .usage
        }
        let session = makeSession()
        var file: SourceFile?
        let capture: TrainCapture
        cancellation.reset()
        defer { reporter.finishLine() }
        do {
            let loaded = try session.load(path)
            file = loaded
            capture = try session.captureTraining(loaded)
        } catch {
            console.err(error.rendered(color: console.color, in: file) + "\n")
            return ExitStatus(error)
        }
        switch capture {
        case let .refused(diagnostics):
            console.err(diagnostics.map(\.headline).joined(separator: "\n") + "\n")
            console.err("ptune: error: '\(path)' cannot be exported to PyTorch + PEFT: \(diagnostics.count) construct\(diagnostics.count == 1 ? "" : "s") above; nothing was written\n")
            return .runtimeError
        case let .plan(plan):
            do {
                let project = TorchProject(plan: plan, recipe: (path as NSString).lastPathComponent, version: version)
                try AtomicFolder.write(to: target, shownAs: out, replacing: TorchProject.replaceable) { try project.write(into: $0) }
            } catch {
                console.err("ptune: error: cannot write '\(out)': \(error)\n")
                return .runtimeError
            }
            if !settings.quiet {
                console.out("exported '\(plan.blockName)' (\(plan.batches.count) steps of \(plan.batchSize) rows, \(plan.encoder.kind.rawValue) encoder, \(plan.model.origin ?? plan.model.requested)) to \(out): python \(out)/train.py\n")
            }
            return .success
        }
    }
}
