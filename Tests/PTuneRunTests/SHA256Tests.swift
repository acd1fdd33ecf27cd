import Foundation
import Testing
@testable import PTuneRun

@Suite struct SHA256Tests {
    @Test func fipsVectors() {
        #expect(SHA256.hex(of: Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the padding boundaries (55/56 bytes: the length fits or spills into a new block), checked
    /// against Python's hashlib.
    @Test func paddingBoundaries() {
        let expected: [Int: String] = [
            55: "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59",
            56: "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562",
            63: "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488",
            64: "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108",
            65: "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781",
            119: "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6",
            1000: "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d",
        ]
        for (n, hex) in expected {
            #expect(SHA256.hex(of: (0..<n).map { UInt8($0 % 251) }) == hex, "length \(n)")
        }
    }

    @Test func streamingInPiecesMatchesOneShot() {
        let data = (0..<1000).map { UInt8($0 % 251) }
        for piece in [1, 7, 63, 64, 65, 300] {
            var hasher = SHA256()
            var i = 0
            while i < data.count { hasher.update(data[i..<min(i + piece, data.count)]); i += piece }
            let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            #expect(hex == "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d", "pieces of \(piece)")
        }
    }
}

@Suite struct FileHashTests {
    @Test func hashesAFileInPieces() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-hash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(SHA256.hex(ofFileAt: path) == SHA256.hex(of: bytes))
        #expect(SHA256.hex(ofFileAt: path + ".missing") == nil)
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(SHA256.hex(ofFileAt: path) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
