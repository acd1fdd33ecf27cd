import PTuneCore
import Testing
@testable import PTuneLSP

/// JSON-RPC messages: requests, notifications, and what makes one invalid.
@Suite struct IncomingMessageTests {
    func message(_ json: String) -> IncomingMessage { IncomingMessage(body: Array(json.utf8)) }

    func code(_ m: IncomingMessage) -> ErrorCode? {
        if case let .invalid(_, e) = m { return e.code }
        return nil
    }

    @Test func requestsAndNotifications() {
        guard case let .request(id, method, _) = message(#"{"jsonrpc":"2.0","id":"a","method":"shutdown"}"#) else {
            Issue.record("a request"); return
        }
        #expect(id == .string("a") && method == "shutdown")
        guard case .notification("exit", _) = message(#"{"jsonrpc":"2.0","method":"exit"}"#) else {
            Issue.record("a notification"); return
        }
        guard case .response = message(#"{"jsonrpc":"2.0","id":3,"result":null}"#) else { Issue.record("a response"); return }
    }

    @Test func invalidMessages() {
        #expect(code(message("{oops")) == .parseError)
        #expect(code(message("[]")) == .invalidRequest)
        #expect(code(message(#"{"jsonrpc":"2.0","id":1}"#)) == .invalidRequest)
        #expect(code(message(#"{"jsonrpc":"2.0","id":1,"method":3}"#)) == .invalidRequest)
        #expect(code(message(#"{"jsonrpc":"2.0","id":[1],"method":"x"}"#)) == .invalidRequest)
        #expect(code(message(#"{"jsonrpc":"2.0","id":1,"method":"x","params":5}"#)) == .invalidRequest)
        #expect(code(message(#"{"jsonrpc":"1.0","id":1,"method":"x"}"#)) == .invalidRequest)
    }
}
