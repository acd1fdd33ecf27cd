import CReadline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) as a flag the interpreter polls at step boundaries, instead of a process kill.
///
/// The signal handler (in C, `shim.h`) only counts and writes a byte to a pipe — both async-signal-safe. A watcher
/// thread reads that pipe and runs `onInterrupt` (which sets the language's cancellation flag, checked at every
/// loop iteration and training step), then wakes the readline reader through a second pipe (`wakeDescriptor`) so
/// a Ctrl-C at the prompt is seen while it waits for a key. If the process does not react, the third Ctrl-C ends it
/// at once with status 130 (the second says so).
///
/// All calls into the C signal functions live in this file (their state is per Swift file, see `shim.h`).
public final class InterruptMonitor: Sendable {
    /// The read end of the pipe that becomes readable on each Ctrl-C (for `poll`), or -1 without a handler.
    public let wakeDescriptor: Int32
    private let wakeWrite: Int32

    /// Installs the SIGINT handler and starts the watcher thread. One monitor per process (the ptune command
    /// makes it); `onInterrupt` runs on the watcher thread for every Ctrl-C. The `exitAfter`-th pending Ctrl-C
    /// ends the process at once (0: never, for a process whose interrupts come from a program, like a kernel's).
    public init(exitAfter: Int32 = 3, onInterrupt: @escaping @Sendable () -> Void) {
        let signalPipe = ptune_install_sigint(exitAfter)
        var fds: [Int32] = [-1, -1]
        guard signalPipe >= 0, pipe(&fds) == 0 else {
            wakeDescriptor = -1
            wakeWrite = -1
            return
        }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wakeDescriptor = fds[0]
        wakeWrite = fds[1]
        let forward = fds[1]
        let thread = Thread {
            var watch = pollfd(fd: signalPipe, events: Int16(POLLIN), revents: 0)
            var buffer = [UInt8](repeating: 0, count: 16)
            while true {
                watch.revents = 0
                let ready = poll(&watch, 1, -1)
                if ready < 0 { if errno == EINTR { continue } else { return } }
                let n = read(signalPipe, &buffer, buffer.count)
                guard n > 0 else { continue }
                onInterrupt()
                var byte: UInt8 = 1
                _ = write(forward, &byte, 1)
            }
        }
        thread.name = "ptune-sigint"
        thread.start()
    }

    /// Whether Ctrl-C was pressed since the last `reset()`.
    public var isInterrupted: Bool { ptune_interrupt_pending() > 0 }

    /// Forgets earlier Ctrl-Cs (before reading a line or running a statement).
    public func reset() {
        ptune_interrupt_reset()
        guard wakeDescriptor >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
    }
}
