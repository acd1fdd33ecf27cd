import Foundation

/// Ends a sweep point's process when the sweep that started it is gone (killed with `kill -9`, say), so no point
/// runs on unsupervised and a rerun of the sweep finds it unfinished and runs (or resumes) it again.
public enum ParentWatch {
    /// The environment variable holding the sweep's process id.
    public static let variable = "PTUNE_SWEEP_PARENT"

    /// When the environment names a parent, starts a thread that exits the process (status 137, as `kill -9`)
    /// once the parent is gone; otherwise does nothing.
    public static func startIfAsked() {
        guard let text = ProcessInfo.processInfo.environment[variable], let parent = Int32(text), parent > 1 else { return }
        if getppid() != parent { _exit(137) }
        let thread = Thread {
            while true {
                usleep(200_000)
                if getppid() != parent { _exit(137) }
            }
        }
        thread.stackSize = 64 << 10
        thread.start()
    }
}
