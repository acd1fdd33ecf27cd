import Foundation

/// The messages read and not yet handled, shared by the thread that reads them and the server's loop. A request
/// the client cancels (`$/cancelRequest`) while it waits here is replaced by its error answer.
final class MessageQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [IncomingMessage] = []
    private var head = 0

    /// Adds a message at the end and wakes the loop.
    func push(_ message: IncomingMessage) {
        condition.lock()
        items.append(message)
        condition.signal()
        condition.unlock()
    }

    /// The next message, waiting for one when there is none.
    func pop() -> IncomingMessage {
        condition.lock()
        defer { condition.unlock() }
        while head >= items.count { condition.wait() }
        let m = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return m
    }

    /// Whether no message waits.
    var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return head >= items.count
    }

    /// Cancels request `id` if it still waits: it will be answered with `RequestCancelled` instead of being run.
    /// A request already running or answered is left alone, as the protocol allows.
    func cancel(_ id: RequestID) {
        condition.lock()
        defer { condition.unlock() }
        for i in head..<items.count {
            if case let .request(queued, method, _) = items[i], queued == id {
                items[i] = .invalid(id: id, ResponseError(.requestCancelled, "'\(method)' was cancelled before it ran"))
                return
            }
        }
    }

    /// Whether a waiting message satisfies `predicate` (a later change to the same document, say).
    func contains(where predicate: (IncomingMessage) -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return items[head...].contains(where: predicate)
    }
}
