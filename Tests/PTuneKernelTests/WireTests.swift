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
