import Foundation
import PTuneCore

extension BuiltinRegistry {
    /// `plot`: a training curve in the terminal, or as an SVG file.
    static let plotBuiltins: [Builtin] = [
        Builtin("plot", [.required("data", "record or list"), .optional("file", "string", .none, "none"),
                         .optional("title", "string", .string("")), .optional("width", "int", .number(60)),
                         .optional("height", "int", .number(15))],
                returns: "none", topic: .io,
                summary: "draws a training history's loss (and eval) curve, or a list of numbers: in the terminal, or as an SVG file",
                example: "plot(run)    # let run = train pe on data { … }\nplot(run, file: \"loss.svg\", title: \"p-tuning\")",
                result: .none,
                run: { a, m in
                    var spec = try PlotBuiltin.spec(from: a[0], title: a.isNone(2) ? "" : try a.string(2))
                    if a.isNone(1) {
                        let width = try a.int(3), height = try a.int(4)
                        guard (10...400).contains(width), (4...200).contains(height) else {
                            throw RuntimeFailure(.badArgument(function: "plot", "width must be 10…400 and height 4…200 characters"))
                        }
                        if let chart = m.output.chart {
                            chart(spec, width, height)
                            return .none
                        }
                        var text = TerminalPlot.render(spec, width: width, height: height)
                        if text.hasSuffix("\n") { text.removeLast() }
                        m.output.write(text)
                        return .none
                    }
                    let name = try a.string(1)
                    guard name.lowercased().hasSuffix(".svg") else {
                        throw RuntimeFailure(.badArgument(function: "plot", "'file' must name an .svg file, got '\(name)'"))
                    }
                    if spec.title.isEmpty { spec.title = ((name as NSString).lastPathComponent as NSString).deletingPathExtension }
                    try m.files.write(Data(SVGPlot.render(spec).utf8), to: name)
                    m.output.note("plot: wrote \(name)")
                    return .none
                }),
    ]
}

/// Turning `plot`'s argument into series.
enum PlotBuiltin {
    /// The chart of a training history (`loss` per step, `eval` at `eval_steps`), or of a list or rank-1 tensor.
    static func spec(from value: Value, title: String) throws -> PlotSpec {
        switch value {
        case let .record(r):
            guard let loss = r["loss"], let ys = numbers(loss) else {
                throw RuntimeFailure(.badArgument(function: "plot", "a record to plot needs a 'loss' list (what 'let run = train …' keeps)"))
            }
            var series = [PlotSeries(name: "loss", ys: ys)]
            if let e = r["eval"], let evals = numbers(e), !evals.isEmpty {
                let steps = r["eval_steps"].flatMap(numbers) ?? evals.indices.map { Double($0 + 1) }
                series.append(PlotSeries(name: "eval", xs: steps, ys: evals))
            }
            return PlotSpec(series: series, title: title, xLabel: "step", yLabel: "")
        case .list, .tensor, .param:
            guard let ys = numbers(value) else {
                throw RuntimeFailure(.badArgument(function: "plot", "a list to plot must hold numbers only"))
            }
            return PlotSpec(series: [PlotSeries(name: "", ys: ys)], title: title, xLabel: "index", yLabel: "")
        case .none, .number, .bool, .string, .range, .function, .builtin, .model, .encoder, .dataset, .optimizer, .schedule:
            throw RuntimeFailure(.wrongKind(context: "'plot' argument 'data'", expected: "a training history or a list of numbers",
                                            got: value.kindText))
        }
    }

    /// The numbers of a list of numbers or a rank-0/1 tensor; nil otherwise.
    static func numbers(_ value: Value) -> [Double]? {
        switch value {
        case let .list(items):
            var out: [Double] = []
            for item in items {
                switch item {
                case let .number(v): out.append(v)
                case let .tensor(t) where t.count == 1: out.append(t.doubles[0])
                case .none, .bool, .string, .tensor, .param, .list, .range, .record, .function, .builtin, .model, .encoder,
                     .dataset, .optimizer, .schedule:
                    return nil
                }
            }
            return out
        case let .tensor(t) where t.rank <= 1: return t.doubles
        case let .param(p) where p.value.rank <= 1: return p.value.doubles
        case .none, .number, .bool, .string, .tensor, .param, .range, .record, .function, .builtin, .model, .encoder,
             .dataset, .optimizer, .schedule:
            return nil
        }
    }
}
