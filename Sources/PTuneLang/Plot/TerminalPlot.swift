/// A chart drawn with Unicode braille characters (2 × 4 dots per cell), with a labelled vertical axis, a ticked
/// horizontal axis, a title and a legend — for printing a loss curve straight into the terminal.
///
/// ```
///            loss
///   2.5 ┤⠑⢄
///       │  ⠈⠢⡀
///   0.0 ┼─────⠉⠒⠤⣀⣀──
///       0        100
///             step
///   ⣿ loss
/// ```
public enum TerminalPlot {
    /// ANSI colours for successive series (blue, orange-ish yellow, green, magenta, cyan, red).
    static let palette = ["34", "33", "32", "35", "36", "31"]

    /// Renders `spec` in a plot area of `width` × `height` character cells (plus axes, title and legend).
    /// With `color`, each series gets an ANSI colour; without, series are told apart only by the legend's order.
    public static func render(_ spec: PlotSpec, width: Int = 60, height: Int = 15, color: Bool = false) -> String {
        let cols = max(width, 10), rows = max(height, 4)
        guard let bounds = spec.dataBounds else {
            return (spec.title.isEmpty ? "" : spec.title + "\n") + "(no finite points to plot)\n"
        }
        let xScale = AxisScale(covering: bounds.x, ticks: max(2, cols / 12))
        let yScale = AxisScale(covering: bounds.y, ticks: max(3, rows / 3 + 1))
        var canvas = BrailleCanvas(columns: cols, rows: rows)
        for (index, series) in spec.series.enumerated() {
            var previous: (Int, Int)?
            for (x, y) in zip(series.xs, series.ys) {
                guard x.isFinite, y.isFinite else { previous = nil; continue }
                let px = Int((xScale.fraction(x) * Double(canvas.dotWidth - 1)).rounded())
                let py = Int(((1 - yScale.fraction(y)) * Double(canvas.dotHeight - 1)).rounded())
                if let (qx, qy) = previous { canvas.line(from: (qx, qy), to: (px, py), series: index) } else {
                    canvas.set(px, py, series: index)
                }
                previous = (px, py)
            }
        }
        // Vertical axis: a label on the row nearest each tick.
        var rowLabels = [String?](repeating: nil, count: rows)
        for tick in yScale.ticks {
            let row = Int(((1 - yScale.fraction(tick)) * Double(rows - 1)).rounded())
            if row >= 0 && row < rows { rowLabels[row] = yScale.label(tick) }
        }
        let labelWidth = rowLabels.compactMap { $0?.count }.max() ?? 1
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        var lines: [String] = []
        if !spec.title.isEmpty { lines.append(String(repeating: " ", count: labelWidth + 2 + max(0, (cols - spec.title.count) / 2)) + spec.title) }
        if !spec.yLabel.isEmpty { lines.append(pad(spec.yLabel, labelWidth + 1)) }
        for row in 0..<rows {
            let axis = rowLabels[row] != nil ? "┤" : "│"
            let label = rowLabels[row].map { pad($0, labelWidth) } ?? String(repeating: " ", count: labelWidth)
            lines.append((label + " " + axis + canvas.renderRow(row, colors: color ? palette : nil)).trailingSpacesTrimmed)
        }
        // Horizontal axis: a rule with ┬ at each tick, labels centred under them where they fit.
        var rule = Array(repeating: Character("─"), count: cols)
        var labelLine = Array(repeating: Character(" "), count: cols + 8)
        var nextFree = 0
        for tick in xScale.ticks {
            let col = Int((xScale.fraction(tick) * Double(cols - 1)).rounded())
            guard col >= 0 && col < cols else { continue }
            rule[col] = "┬"
            let text = Array(xScale.label(tick))
            let start = max(0, min(col - text.count / 2, labelLine.count - text.count))
            guard start >= nextFree else { continue }
            for (i, ch) in text.enumerated() { labelLine[start + i] = ch }
            nextFree = start + text.count + 1
        }
        let indent = String(repeating: " ", count: labelWidth + 1)
        lines.append(indent + "└" + String(rule))
        lines.append(indent + " " + String(labelLine).trailingSpacesTrimmed)
        if !spec.xLabel.isEmpty { lines.append(indent + " " + String(repeating: " ", count: max(0, (cols - spec.xLabel.count) / 2)) + spec.xLabel) }
        if spec.series.count > 1 || !(spec.series.first?.name.isEmpty ?? true) {
            let entries = spec.series.enumerated().map { i, s in
                (color ? "\u{1B}[\(palette[i % palette.count])m⣿\u{1B}[0m" : "⣿") + " " + s.name
            }
            lines.append(indent + " " + entries.joined(separator: "   "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// The string without trailing spaces.
    var trailingSpacesTrimmed: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
