#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the current thread's stack still holds, and a check against running out of it. Code that recurses on
/// input — the parser, the checker, calls between user functions, imports — asks ``hasRoom()`` at each level and
/// reports a clear error when it says no, instead of overflowing the stack (SIGSEGV). The guard is taken on the
/// thread that then does the work: it knows that thread's real stack (its size from the thread's attributes, or
/// the stack limit for the main thread).
public struct StackGuard: Sendable {
    /// The lowest stack address the work may reach: the stack's bottom plus the reserve.
    public let floor: UInt
    /// The bytes of stack the thread had above the floor when the guard was taken.
    public let available: Int

    /// The stack kept free below the floor for the deepest stretch of work between two checks (a builtin, a
    /// tensor kernel, Foundation, a signal handler): 512 KiB, or a quarter of a small stack.
    public static func reserve(forStackOf size: Int) -> Int { Swift.min(512 << 10, size / 4) }

    /// A guard for the calling thread.
    public static func current() -> StackGuard {
        let here = StackGuard.address()
        guard let (low, size) = StackGuard.bounds(), size > 0, here > low else {
            // Unknown bounds: assume the smallest common stack (512 KiB below here, as a secondary thread has).
            return StackGuard(floor: here - Swift.min(here, 384 << 10), available: 384 << 10)
        }
        let floor = low + UInt(reserve(forStackOf: size))
        return StackGuard(floor: floor, available: here > floor ? Int(here - floor) : 0)
    }

    /// A guard with an explicit floor (tests).
    public init(floor: UInt, available: Int) {
        self.floor = floor
        self.available = available
    }

    /// Whether the stack has room for one more level of work.
    @inline(__always) public func hasRoom() -> Bool {
        StackGuard.address() > floor
    }

    /// Bytes of stack left above the floor.
    public var remaining: Int {
        let here = StackGuard.address()
        return here > floor ? Int(here - floor) : 0
    }

    /// An address in the caller's stack frame.
    @inline(never) static func address() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    #if canImport(Glibc)
    private typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32

    /// `pthread_getattr_np`, looked up once (glibc declares it only for `_GNU_SOURCE`, which Swift's module does not
    /// set).
    private static let getAttributes: GetAttributes? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else { return nil }
        return unsafeBitCast(symbol, to: GetAttributes.self)
    }()
    #endif

    /// The calling thread's stack: its lowest address and size.
    static func bounds() -> (UInt, Int)? {
        #if canImport(Glibc)
        var attr = pthread_attr_t()
        guard let getAttributes = StackGuard.getAttributes, getAttributes(pthread_self(), &attr) == 0 else { return nil }
        defer { pthread_attr_destroy(&attr) }
        var base: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attr, &base, &size) == 0, let base else { return nil }
        return (UInt(bitPattern: base), size)
        #else
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        let size = pthread_get_stacksize_np(pthread_self())
        return (top - UInt(size), size)
        #endif
    }
}
