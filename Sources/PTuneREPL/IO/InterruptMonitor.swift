import CReadline

/// Ctrl-C (SIGINT) as a flag the interpreter polls at step boundaries, instead of a process kill.
///
/// The signal handler (in C, `shim.h`) only increments a `sig_atomic_t` counter and writes a byte to a pipe — both
/// async-signal-safe. The interpreter's cancellation check reads the counter (`isInterrupted`); the readline reader
/// polls the pipe (`wakeDescriptor`) so a Ctrl-C at the prompt is seen while it waits for a key. If the process
/// does not react, the third Ctrl-C ends it at once with status 130 (the second says so).
///
/// All calls into the C signal functions live in this file (their state is per Swift file, see `shim.h`).
public final class InterruptMonitor: Sendable {
    /// The read end of the wake-up pipe, or -1 when the handler could not be installed.
    public let wakeDescriptor: Int32

    /// Installs the SIGINT handler. Only one monitor should exist per process (the ptune command makes it).
    public init() {
        wakeDescriptor = ptune_install_sigint(3)
    }

    /// Whether Ctrl-C was pressed since the last `reset()`; safe to call from any thread, cheap enough per step.
    public var isInterrupted: Bool { ptune_interrupt_pending() > 0 }

    /// Forgets earlier Ctrl-Cs (before running a statement, after the prompt consumed one).
    public func reset() { ptune_interrupt_reset() }
}
