/// One named curve of a chart: the points `(xs[i], ys[i])`, drawn in order. Non-finite values break the line.
public struct PlotSeries: Sendable, Equatable {
    /// The legend entry, e.g. `loss` or `eval accuracy`.
    public var name: String
    /// Horizontal coordinates (training steps, usually), one per point.
    public var xs: [Double]
    /// Vertical coordinates, one per point.
    public var ys: [Double]
    /// A shaded band around the curve (e.g. mean ± std over seeds): its lower and upper edge at each point.
    public var band: PlotBand?

    /// A series of points; extra coordinates on the longer side are ignored.
    public init(name: String, xs: [Double], ys: [Double]) {
        let n = min(xs.count, ys.count)
        self.name = name
        self.xs = Array(xs.prefix(n))
        self.ys = Array(ys.prefix(n))
    }

    /// A series over the steps `1, 2, …, ys.count`.
    public init(name: String, ys: [Double]) {
        self.init(name: name, xs: ys.indices.map { Double($0 + 1) }, ys: ys)
    }

    /// The finite points, in order (the band's edges included).
    var finitePoints: [(x: Double, y: Double)] {
        var points = zip(xs, ys).filter { $0.0.isFinite && $0.1.isFinite }.map { (x: $0.0, y: $0.1) }
        if let band {
            for (x, (lo, hi)) in zip(xs, zip(band.lower, band.upper)) where x.isFinite && lo.isFinite && hi.isFinite {
                points += [(x, lo), (x, hi)]
            }
        }
        return points
    }
}

/// The edges of a shaded band around a series, one lower and one upper value per point.
public struct PlotBand: Sendable, Equatable {
    /// The lower edge.
    public var lower: [Double]
    /// The upper edge.
    public var upper: [Double]

    /// A band.
    public init(lower: [Double], upper: [Double]) {
        self.lower = lower
        self.upper = upper
    }
}

/// What a chart shows: its series, title and axis labels. Rendered by `TerminalPlot` and `SVGPlot`.
public struct PlotSpec: Sendable, Equatable {
    /// The curves, drawn in order (later ones on top).
    public var series: [PlotSeries]
    /// The heading above the chart.
    public var title: String
    /// The caption under the horizontal axis.
    public var xLabel: String
    /// The caption beside the vertical axis.
    public var yLabel: String

    /// A chart of `series` with a title and axis captions.
    public init(series: [PlotSeries], title: String = "", xLabel: String = "step", yLabel: String = "") {
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The range both axes must cover: the finite points of every series (a flat or single point is widened).
    var dataBounds: (x: ClosedRange<Double>, y: ClosedRange<Double>)? {
        let points = series.flatMap(\.finitePoints)
        guard let first = points.first else { return nil }
        var (x0, x1, y0, y1) = (first.x, first.x, first.y, first.y)
        for p in points { x0 = min(x0, p.x); x1 = max(x1, p.x); y0 = min(y0, p.y); y1 = max(y1, p.y) }
        func widen(_ lo: Double, _ hi: Double) -> ClosedRange<Double> {
            if hi > lo { return lo...hi }
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            return (lo - pad)...(hi + pad)
        }
        return (widen(x0, x1), widen(y0, y1))
    }
}
