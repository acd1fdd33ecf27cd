/// A grid of braille cells addressed by dot: each cell holds 2 × 4 dots, so a `columns` × `rows` canvas has
/// `2·columns` × `4·rows` dots. Each cell remembers the series that last drew in it, for colouring.
struct BrailleCanvas {
    /// Width and height in character cells.
    let columns: Int, rows: Int
    /// The dot pattern of each cell (bits as in Unicode's braille block, U+2800 + bits).
    private var bits: [UInt8]
    /// The last series drawn in each cell, or -1.
    private var owner: [Int]

    /// The bit for dot (dx, dy) inside a cell, dx ∈ 0...1, dy ∈ 0...3.
    private static let dotBits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// An empty canvas.
    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        bits = Array(repeating: 0, count: columns * rows)
        owner = Array(repeating: -1, count: columns * rows)
    }

    /// Width in dots.
    var dotWidth: Int { columns * 2 }
    /// Height in dots.
    var dotHeight: Int { rows * 4 }

    /// Sets the dot at (x, y), y growing downwards; dots off the canvas are ignored.
    mutating func set(_ x: Int, _ y: Int, series: Int) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let cell = (y / 4) * columns + x / 2
        bits[cell] |= BrailleCanvas.dotBits[x % 2][y % 4]
        owner[cell] = series
    }

    /// Draws a straight line of dots between two points (Bresenham).
    mutating func line(from a: (Int, Int), to b: (Int, Int), series: Int) {
        var (x, y) = a
        let dx = abs(b.0 - x), dy = -abs(b.1 - y)
        let sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var err = dx + dy
        while true {
            set(x, y, series: series)
            if x == b.0 && y == b.1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// The characters of one row of cells; empty cells are spaces. With `colors`, cells are wrapped in the ANSI
    /// colour of their series.
    func renderRow(_ row: Int, colors: [String]?) -> String {
        var out = ""
        for col in 0..<columns {
            let cell = row * columns + col
            guard bits[cell] != 0, let scalar = Unicode.Scalar(0x2800 + UInt32(bits[cell])) else { out += " "; continue }
            if let colors, owner[cell] >= 0 {
                out += "\u{1B}[\(colors[owner[cell] % colors.count])m" + String(Character(scalar)) + "\u{1B}[0m"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
