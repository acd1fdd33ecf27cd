import Foundation
import Testing
import PTuneLang

@Suite struct PlotTests {
    let loss = PlotSeries(name: "loss", ys: (0..<100).map { 2.5 * exp(-Double($0) / 25) })

    @Test func niceAxes() {
        let a = AxisScale(covering: 0.13...2.41, ticks: 6)
        #expect(a.step == 0.5)
        #expect(a.lower == 0 && a.upper == 2.5)
        #expect(a.ticks.map(a.label) == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
        let steps = AxisScale(covering: 1...1000, ticks: 6)
        #expect(steps.ticks.map(steps.label) == ["0", "200", "400", "600", "800", "1000"])
    }

    /// The character offset of the first (or last) braille dot in `line`.
    func dotColumn(_ line: String, last: Bool) -> Int? {
        let scalars = Array(line.unicodeScalars)
        let isDot = { (s: Unicode.Scalar) in s.value > 0x2800 && s.value <= 0x28FF }
        return last ? scalars.lastIndex(where: isDot) : scalars.firstIndex(where: isDot)
    }

    @Test func terminalChartHasAxesTitleAndLegend() {
        let text = TerminalPlot.render(PlotSpec(series: [loss], title: "training loss"), width: 40, height: 8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].trimmingCharacters(in: .whitespaces) == "training loss")
        #expect(lines.contains { $0.hasPrefix("3 ┤") })               // ticks at 0, 1, 2, 3 cover 0.05...2.5
        #expect(lines.contains { $0.hasPrefix("0 ┤") })
        #expect(lines.contains { $0.contains("└") && $0.contains("┬") })
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "step" })
        #expect(lines.contains { $0.contains("⣿ loss") })
        // The curve starts high on the left and ends low on the right.
        let plotRows = lines.filter { $0.contains("┤") || $0.contains("│") }
        #expect(plotRows.count == 8)
        let dotted = plotRows.filter { dotColumn($0, last: false) != nil }
        let top = dotted.first ?? "", bottom = dotted.last ?? ""
        #expect(dotted.count >= 4)
        if let a = dotColumn(top, last: false), let b = dotColumn(bottom, last: true) { #expect(a < b) } else {
            Issue.record("no dots on the top or bottom row:\n\(text)")
        }
    }

    @Test func colourOnlyWhenAsked() {
        #expect(!TerminalPlot.render(PlotSpec(series: [loss]), color: false).contains("\u{1B}["))
        #expect(TerminalPlot.render(PlotSpec(series: [loss]), color: true).contains("\u{1B}[34m"))
    }

    @Test func svgHasAxesLabelsTitleAndOnePolylinePerSeries() {
        let acc = PlotSeries(name: "eval <accuracy>", xs: [10, 50, 100], ys: [0.2, 0.6, 0.9])
        let svg = SVGPlot.render(PlotSpec(series: [loss, acc], title: "seed & loss", xLabel: "step", yLabel: "value"))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains(">seed &amp; loss</text>"))
        #expect(svg.contains(">eval &lt;accuracy&gt;</text>"))
        #expect(svg.contains(">step</text>") && svg.contains(">value</text>"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains(">100</text>"))                          // an x tick label
        let opens = svg.components(separatedBy: "<text").count, closes = svg.components(separatedBy: "</text>").count
        #expect(opens == closes)
    }

    @Test func nonFinitePointsBreakTheLine() {
        let s = PlotSeries(name: "loss", xs: [1, 2, 3, 4, 5], ys: [1, 2, .nan, 3, 4])
        #expect(SVGPlot.segments(s).map(\.count) == [2, 2])
        #expect(TerminalPlot.render(PlotSpec(series: [PlotSeries(name: "x", ys: [.nan])])).contains("no finite points"))
    }

    @Test func flatAndSinglePointSeriesStillDraw() {
        let flat = TerminalPlot.render(PlotSpec(series: [PlotSeries(name: "c", ys: [1, 1, 1])]), width: 20, height: 4)
        #expect(flat.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
        let one = SVGPlot.render(PlotSpec(series: [PlotSeries(name: "c", ys: [3])]))
        #expect(one.contains("<circle"))
    }
}
