import Foundation

/// A chart as a standalone SVG document: framed plot area with grid lines, ticked and labelled axes, a title, one
/// polyline per series (over its shaded band, if it has one) and a legend. Pure: the caller decides where the text goes.
public enum SVGPlot {
    /// Line colours for successive series (colour-blind-safe Okabe–Ito order).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]

    /// Renders `spec` as an SVG document `width` × `height` pixels in size.
    public static func render(_ spec: PlotSpec, width: Int = 720, height: Int = 432) -> String {
        let w = Double(max(width, 200)), h = Double(max(height, 150))
        let left = 72.0, right = 24.0, top = spec.title.isEmpty ? 24.0 : 48.0, bottom = 64.0
        let plotW = w - left - right, plotH = h - top - bottom
        var svg: [String] = [
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" font-family="Helvetica, Arial, sans-serif" font-size="12">"##,
            ##"<rect x="0" y="0" width="\##(width)" height="\##(height)" fill="white"/>"##,
        ]
        if !spec.title.isEmpty {
            svg.append(##"<text x="\##(f(w / 2))" y="28" text-anchor="middle" font-size="16" font-weight="bold">\##(escape(spec.title))</text>"##)
        }
        guard let bounds = spec.dataBounds else {
            svg.append(##"<text x="\##(f(w / 2))" y="\##(f(h / 2))" text-anchor="middle">no finite points to plot</text>"##)
            svg.append("</svg>")
            return svg.joined(separator: "\n") + "\n"
        }
        let xScale = AxisScale(covering: bounds.x, ticks: 6)
        let yScale = AxisScale(covering: bounds.y, ticks: 6)
        func px(_ x: Double) -> Double { left + xScale.fraction(x) * plotW }
        func py(_ y: Double) -> Double { top + (1 - yScale.fraction(y)) * plotH }

        svg.append(##"<g stroke="#e5e5e5" stroke-width="1">"##)
        for t in xScale.ticks { svg.append(##"<line x1="\##(f(px(t)))" y1="\##(f(top))" x2="\##(f(px(t)))" y2="\##(f(top + plotH))"/>"##) }
        for t in yScale.ticks { svg.append(##"<line x1="\##(f(left))" y1="\##(f(py(t)))" x2="\##(f(left + plotW))" y2="\##(f(py(t)))"/>"##) }
        svg.append("</g>")
        svg.append(##"<rect x="\##(f(left))" y="\##(f(top))" width="\##(f(plotW))" height="\##(f(plotH))" fill="none" stroke="#333" stroke-width="1"/>"##)
        svg.append(##"<g fill="#333">"##)
        for t in xScale.ticks {
            svg.append(##"<line x1="\##(f(px(t)))" y1="\##(f(top + plotH))" x2="\##(f(px(t)))" y2="\##(f(top + plotH + 5))" stroke="#333"/>"##)
            svg.append(##"<text x="\##(f(px(t)))" y="\##(f(top + plotH + 19))" text-anchor="middle">\##(escape(xScale.label(t)))</text>"##)
        }
        for t in yScale.ticks {
            svg.append(##"<line x1="\##(f(left - 5))" y1="\##(f(py(t)))" x2="\##(f(left))" y2="\##(f(py(t)))" stroke="#333"/>"##)
            svg.append(##"<text x="\##(f(left - 8))" y="\##(f(py(t) + 4))" text-anchor="end">\##(escape(yScale.label(t)))</text>"##)
        }
        svg.append("</g>")
        if !spec.xLabel.isEmpty {
            svg.append(##"<text x="\##(f(left + plotW / 2))" y="\##(f(h - 24))" text-anchor="middle" font-size="13">\##(escape(spec.xLabel))</text>"##)
        }
        if !spec.yLabel.isEmpty {
            let cy = top + plotH / 2
            svg.append(##"<text x="18" y="\##(f(cy))" text-anchor="middle" font-size="13" transform="rotate(-90 18 \##(f(cy)))">\##(escape(spec.yLabel))</text>"##)
        }
        for (i, series) in spec.series.enumerated() {
            guard let band = series.band else { continue }
            let colour = palette[i % palette.count]
            let edge = zip(series.xs, zip(band.lower, band.upper)).filter { $0.0.isFinite && $0.1.0.isFinite && $0.1.1.isFinite }
            guard edge.count > 1 else { continue }
            let points = (edge.map { "\(f(px($0.0))),\(f(py($0.1.1)))" } + edge.reversed().map { "\(f(px($0.0))),\(f(py($0.1.0)))" })
                .joined(separator: " ")
            svg.append(##"<polygon fill="\##(colour)" fill-opacity="0.18" stroke="none" points="\##(points)"/>"##)
        }
        for (i, series) in spec.series.enumerated() {
            let colour = palette[i % palette.count]
            for run in segments(series) {
                if run.count == 1, let p = run.first {
                    svg.append(##"<circle cx="\##(f(px(p.x)))" cy="\##(f(py(p.y)))" r="2.5" fill="\##(colour)"/>"##)
                } else {
                    let points = run.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                    svg.append(##"<polyline fill="none" stroke="\##(colour)" stroke-width="2" stroke-linejoin="round" points="\##(points)"/>"##)
                }
            }
        }
        // Legend along the bottom edge.
        var lx = left
        for (i, series) in spec.series.enumerated() where !series.name.isEmpty {
            let colour = palette[i % palette.count]
            svg.append(##"<line x1="\##(f(lx))" y1="\##(f(h - 8))" x2="\##(f(lx + 18))" y2="\##(f(h - 8))" stroke="\##(colour)" stroke-width="3"/>"##)
            svg.append(##"<text x="\##(f(lx + 24))" y="\##(f(h - 4))">\##(escape(series.name))</text>"##)
            lx += 40 + Double(series.name.count) * 7
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// The runs of consecutive finite points (a non-finite value breaks the line).
    public static func segments(_ series: PlotSeries) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = [[]]
        for (x, y) in zip(series.xs, series.ys) {
            if x.isFinite && y.isFinite { runs[runs.count - 1].append((x, y)) } else if !(runs.last?.isEmpty ?? true) { runs.append([]) }
        }
        return runs.filter { !$0.isEmpty }
    }

    /// A coordinate with at most two decimals.
    static func f(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// Text with XML's special characters escaped.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
