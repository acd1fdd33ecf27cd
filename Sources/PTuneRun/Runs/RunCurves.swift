import Foundation
import PTuneLang

/// The curves of recorded runs for one metric over the steps of each run's last `train` block: one curve per run,
/// or per group (the mean over the group's runs at each step, with a band of ± one standard deviation), smoothed
/// like TensorBoard's slider if asked.
public struct RunCurves: Sendable {
    /// The metric plotted.
    public enum Metric: String, CaseIterable, Sendable {
        /// The training loss of every step.
        case loss
        /// The eval metric, on the steps that evaluated.
        case eval
        /// The learning rate of every step (records that have it).
        case lr
    }

    /// The chart.
    public private(set) var spec: PlotSpec

    /// The curves of `metric` over `runs`, grouped by the settings `groupBy` when given; `smoothing` in [0, 1) is the
    /// weight of the running average (0: none).
    public init(runs: [RunFolder], metric: Metric, groupBy: [String] = [], smoothing: Double = 0) throws(RunsError) {
        for name in groupBy where !runs.contains(where: { $0.setting(name) != nil }) {
            throw .unknownColumn(name, Array(Set(runs.flatMap { $0.record.overrides.map(\.name) } + ["seed"])).sorted(), .groupBy)
        }
        var series: [PlotSeries] = []
        if groupBy.isEmpty {
            for run in runs {
                let (xs, ys) = RunCurves.points(run, metric)
                series.append(PlotSeries(name: run.name, xs: xs, ys: RunCurves.smooth(ys, smoothing)))
            }
        } else {
            var order: [String] = [], members: [String: [RunFolder]] = [:]
            for run in runs {
                let key = groupBy.map { "\($0)=\(run.setting($0) ?? "-")" }.joined(separator: " ")
                if members[key] == nil { order.append(key) }
                members[key, default: []].append(run)
            }
            for key in order {
                var byStep: [Double: [Double]] = [:]
                let group = members[key] ?? []
                for run in group {
                    let (xs, ys) = RunCurves.points(run, metric)
                    for (x, y) in zip(xs, RunCurves.smooth(ys, smoothing)) { byStep[x, default: []].append(y) }
                }
                let xs = byStep.keys.sorted()
                let stats = xs.map { x -> (Double, Double) in
                    let v = byStep[x] ?? []
                    let mean = v.reduce(0, +) / Double(max(1, v.count))
                    let variance = v.count > 1 ? v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1) : 0
                    return (mean, variance.squareRoot())
                }
                var s = PlotSeries(name: key + " (\(group.count) run\(group.count == 1 ? "" : "s"))", xs: xs, ys: stats.map(\.0))
                if group.count > 1 { s.band = PlotBand(lower: stats.map { $0.0 - $0.1 }, upper: stats.map { $0.0 + $0.1 }) }
                series.append(s)
            }
        }
        let title = metric.rawValue + (groupBy.isEmpty ? " per run" : " by " + groupBy.joined(separator: ", ") + ", mean ± std")
            + (smoothing > 0 ? ", smoothed \(smoothing)" : "")
        spec = PlotSpec(series: series, title: title, xLabel: "step", yLabel: metric.rawValue)
    }

    /// The steps and values of `metric` in `run`'s last block.
    static func points(_ run: RunFolder, _ metric: Metric) -> ([Double], [Double]) {
        var xs: [Double] = [], ys: [Double] = []
        for s in run.metrics.lastBlock {
            let v: Double?
            switch metric {
            case .loss: v = s.loss
            case .eval: v = s.eval
            case .lr: v = s.lr
            }
            if let v { xs.append(Double(s.step)); ys.append(v) }
        }
        return (xs, ys)
    }

    /// TensorBoard's smoothing: an exponential moving average with weight `w`, debiased at the start.
    static func smooth(_ ys: [Double], _ w: Double) -> [Double] {
        guard w > 0, w < 1 else { return ys }
        var last = 0.0, count = 0
        return ys.map { y in
            guard y.isFinite else { return y }
            count += 1
            last = last * w + (1 - w) * y
            return last / (1 - pow(w, Double(count)))
        }
    }
}
