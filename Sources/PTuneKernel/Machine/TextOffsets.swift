/// Converting cursor offsets between the Unicode code points that Jupyter and the machine protocol count and the
/// UTF-8 bytes that ptune's completer and inspector count.
enum TextOffsets {
    /// The UTF-8 offset of the `n`-th code point of `text` (clamped to its ends).
    static func utf8(ofScalar n: Int, in text: String) -> Int {
        var bytes = 0
        for (i, scalar) in text.unicodeScalars.enumerated() {
            if i >= n { break }
            bytes += UTF8.width(scalar)
        }
        return bytes
    }

    /// The number of code points in the first `n` UTF-8 bytes of `text`.
    static func scalars(ofUTF8 n: Int, in text: String) -> Int {
        var bytes = 0, count = 0
        for scalar in text.unicodeScalars {
            if bytes >= n { break }
            bytes += UTF8.width(scalar)
            count += 1
        }
        return count
    }
}
