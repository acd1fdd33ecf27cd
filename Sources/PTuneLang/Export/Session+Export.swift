extension Session {
    /// Runs `source` up to its first `train` block and reads that block for an export to PyTorch + PEFT instead of
    /// running it (the statements before it run as usual; nothing after it runs). Unused `--set` names are errors.
    /// Returns the plan, or every construct the PyTorch side cannot express; a script without a `train` block, or
    /// one that fails before it, is a failure.
    public func captureTraining(_ source: SourceFile) throws(RunFailure) -> TrainCapture {
        machine.capturesTraining = true
        defer {
            machine.capturesTraining = false
            machine.capturedTraining = nil
        }
        do {
            try run(source, reportUnusedOverrides: true)
        } catch {
            if let captured = machine.capturedTraining { return captured }
            throw error
        }
        if let captured = machine.capturedTraining { return captured }
        throw .runtime(Diagnostic(.cannotExport("the script has no 'train' block to export"), at: nil))
    }
}
