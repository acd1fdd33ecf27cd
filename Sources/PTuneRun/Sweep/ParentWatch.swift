import Foundation

/// Ends a sweep point's process when the sweep that started it is gone (killed with `kill -9`, say), so no point
/// runs on unsupervised and a rerun of the sweep finds it unfinished and runs (or resumes) it again.
public enum ParentWatch {
    /// The environment variable holding the sweep's process id.
    public static let variable = "PTUNE_SWEEP_PARENT"

    /// When the environment names a parent, starts a thread (a plain POSIX thread: it must not wait on anything the
    /// rest of the process holds) that exits the process with status 137, as `kill -9` would, once the parent is
    /// gone; otherwise does nothing.
    public static func startIfAsked() {
        guard let text = ProcessInfo.processInfo.environment[variable], let parent = Int32(text), parent > 1 else { return }
        if getppid() != parent { _exit(137) }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            let parent = Int32(truncatingIfNeeded: Int(bitPattern: argument))
            while getppid() == parent { usleep(200_000) }
            _exit(137)
        }, UnsafeMutableRawPointer(bitPattern: Int(parent)))
        if started == 0 { pthread_detach(thread) }
    }
}
