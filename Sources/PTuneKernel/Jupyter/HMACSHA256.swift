import PTuneRun

/// HMAC-SHA256 (RFC 2104), which signs Jupyter messages: `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))` with the key padded
/// (or first hashed) to SHA-256's 64-byte block.
struct HMACSHA256: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    /// A signer with `key`.
    init(key: [UInt8]) {
        var k = key
        if k.count > 64 {
            var h = SHA256()
            h.update(k)
            k = h.finalize()
        }
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var i = SHA256(), o = SHA256()
        i.update(k.map { $0 ^ 0x36 })
        o.update(k.map { $0 ^ 0x5C })
        inner = i
        outer = o
    }

    /// The MAC of the concatenation of `parts`.
    func mac(_ parts: [[UInt8]]) -> [UInt8] {
        var i = inner
        for p in parts { i.update(p) }
        var o = outer
        o.update(i.finalize())
        return o.finalize()
    }

    /// The MAC as lowercase hex, as Jupyter's signature frame carries it.
    func hexMAC(_ parts: [[UInt8]]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in mac(parts) { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
