import Foundation
import Testing
@testable import PTuneKernel

/// The pieces of the Jupyter wire protocol the kernel writes itself: HMAC-SHA256 signatures, ZMTP frames and
/// greetings, message frames.
@Suite struct WireTests {
    /// RFC 4231's test cases 1, 2 and 6 (a key longer than a block).
    @Test func hmacMatchesRFC4231() {
        #expect(HMACSHA256(key: [UInt8](repeating: 0x0b, count: 20)).hexMAC([Array("Hi There".utf8)])
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(HMACSHA256(key: Array("Jefe".utf8)).hexMAC([Array("what do ya want ".utf8), Array("for nothing?".utf8)])
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMACSHA256(key: [UInt8](repeating: 0xaa, count: 131)).hexMAC([Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)])
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}

extension WireTests {
    @Test func framesRoundTripShortLongAndCommand() throws {
        let long = [UInt8](repeating: 7, count: 300)
        var reader = ZMTPFrameReader()
        let bytes = ZMTPCodec.greeting + ZMTPCodec.ready(socketType: "ROUTER") + ZMTPCodec.message([[1, 2, 3], long, []])
        // Bytes arrive in pieces: nothing is read before it is whole.
        for chunk in stride(from: 0, to: bytes.count, by: 17) { reader.feed(bytes[chunk..<min(chunk + 17, bytes.count)]) }
        let greeting = reader.take(ZMTPCodec.greetingLength)
        try ZMTPCodec.checkGreeting(try #require(greeting))
        let frame = try reader.next()
        let ready = try #require(frame)
        #expect(ready.isCommand && !ready.more)
        let command = try ZMTPCodec.parseCommand(ready.body)
        #expect(command.name == "READY")
        #expect(try ZMTPCodec.properties(command.data)["socket-type"] == Array("ROUTER".utf8))
        var rest: [ZMTPFrameReader.Frame] = []
        while let f = try reader.next() { rest.append(f) }
        #expect(rest == [ZMTPFrameReader.Frame(body: [1, 2, 3], more: true, isCommand: false),
                         ZMTPFrameReader.Frame(body: long, more: true, isCommand: false),
                         ZMTPFrameReader.Frame(body: [], more: false, isCommand: false)])
        #expect(ZMTPCodec.frame(long, more: false)[0] == ZMTPCodec.long)
    }

    @Test func badGreetingsAreRefused() {
        var http = Array("GET / HTTP/1.1\r\n".utf8)
        http += [UInt8](repeating: 0, count: 64)
        #expect(throws: ZMTPCodec.Failure.badSignature) { try ZMTPCodec.checkGreeting(http[...]) }
        var curve = ZMTPCodec.greeting
        for (i, b) in "CURVE".utf8.enumerated() { curve[12 + i] = b }
        #expect(throws: ZMTPCodec.Failure.unsupportedMechanism("CURVE")) { try ZMTPCodec.checkGreeting(curve[...]) }
        var reader = ZMTPFrameReader()
        reader.feed([ZMTPCodec.long, 0xFF, 0, 0, 0, 0, 0, 0, 0])
        #expect(throws: ZMTPCodec.Failure.self) { _ = try reader.next() }
    }

    @Test func messagesAreSignedAndTamperingIsCaught() throws {
        let signer = HMACSHA256(key: Array("secret".utf8))
        let wire = JupyterWire(signer: signer, session: "s")
        let frames = wire.frames("status", content: StatusContent(executionState: "idle"), parent: nil, identities: [[9, 9]])
        let message = try JupyterMessage(frames: frames, signer: signer)
        #expect(message.identities == [[9, 9]])
        #expect(message.header.msgType == "status" && message.header.session == "s" && message.header.version == "5.3")
        #expect(String(decoding: message.content, as: UTF8.self) == #"{"execution_state":"idle"}"#)
        var tampered = frames
        tampered[tampered.count - 1] = Array(#"{"execution_state":"busy"}"#.utf8)
        #expect(throws: JupyterMessage.Failure.self) { try JupyterMessage(frames: tampered, signer: signer) }
        #expect(throws: JupyterMessage.Failure.self) { try JupyterMessage(frames: frames, signer: HMACSHA256(key: Array("other".utf8))) }
        // A reply carries the request's header as its parent.
        let reply = wire.frames("kernel_info_reply", content: EmptyObject(), parent: message, identities: message.identities)
        #expect(reply[4] == message.rawHeader)
    }

    @Test func machineRequestsAndEventsRoundTrip() throws {
        let requests: [MachineRequest] = [
            .execute(id: "1", code: "print 1", cell: 3), .execute(id: "2", code: "x", cell: nil),
            .complete(id: "3", code: "x.s", cursor: 3), .inspect(id: "4", code: "x", cursor: 0, detail: 1),
            .isComplete(id: "5", code: "{"), .interrupt, .shutdown,
        ]
        for r in requests { #expect(try JSONDecoder().decode(MachineRequest.self, from: JSONEncoder().encode(r)) == r) }
        let error = MachineError(kind: .check, summary: "s", diagnostics: [], text: "t", ansi: "a")
        let events: [MachineEvent] = [
            .ready(version: "1"), .stream(id: "1", name: .stderr, text: "note\n"),
            .display(id: "1", data: MimeBundle(plain: "p", html: "<b>h</b>"), result: true),
            .progress(id: "1", display: "d", data: MimeBundle(plain: "bar"), update: true), .error(id: "1", error: error),
            .done(id: "1", status: .interrupted), .completions(id: "2", matches: ["shape"], start: 2, end: 3),
            .inspection(id: "3", data: nil), .inspection(id: "3", data: MimeBundle(plain: "x")),
            .completeness(id: "4", status: .incomplete, indent: "  "), .protocolError(message: "m"),
        ]
        for e in events { #expect(try JSONDecoder().decode(MachineEvent.self, from: JSONEncoder().encode(e)) == e) }
        // A request without a cursor completes at the end of its code, counted in code points.
        let bare = try JSONDecoder().decode(MachineRequest.self, from: Data(#"{"op": "complete", "id": "9", "code": "é.s"}"#.utf8))
        #expect(bare == .complete(id: "9", code: "é.s", cursor: 3))
    }

    @Test func offsetsConvertBetweenCodePointsAndUTF8() {
        let text = "a é 😀 b"
        #expect(TextOffsets.utf8(ofScalar: 3, in: text) == 4)
        #expect(TextOffsets.utf8(ofScalar: 5, in: text) == 9)
        #expect(TextOffsets.scalars(ofUTF8: 9, in: text) == 5)
        #expect(TextOffsets.utf8(ofScalar: 99, in: text) == text.utf8.count)
    }

    @Test func completenessOfCode() {
        #expect(MachineServer.completeness(of: "let x = [1,\n  [2") == (.incomplete, "    "))
        #expect(MachineServer.completeness(of: "x +") == (.incomplete, "  "))
        #expect(MachineServer.completeness(of: "print 1") == (.complete, ""))
        #expect(MachineServer.completeness(of: ":help") == (.complete, ""))
        #expect(MachineServer.completeness(of: "let = )").0 == .invalid)
    }
}
