extension TrainProgress {
    /// The plain log line a `train` block prints at its `log:` cadence: `step 16/32  epoch 2  loss 2.1668`.
    public var logLine: String { TrainRun.logLine(self) }
}
