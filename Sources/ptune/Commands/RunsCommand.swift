import ArgumentParser
import Foundation
import PTuneLang
import PTuneRun

/// `ptune runs`: compare recorded runs — a table, the difference of two, their curves.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Compare recorded runs (folders written by --record or sweep): table, diff, plot.",
        subcommands: [RunsTableCommand.self, RunsDiffCommand.self, RunsPlotCommand.self])

    /// Prints `error` as ptune's error and returns the usage status.
    static func fail(_ error: Error) -> ExitCode {
        FileHandle.standardError.write(Data("ptune: error: \(error)\n".utf8))
        return ExitCode(ExitStatus.usage)
    }
}

extension RunTable.Format: ExpressibleByArgument {}
extension MetricGoal: ExpressibleByArgument {}

/// `ptune runs table DIR`: one row per run, or per group with mean ± std.
struct RunsTableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "One row per recorded run under DIR: overrides, seed, status, steps, final and best loss and eval, results, seconds, peak memory.",
        discussion: """
        Numbers are those of each run's last train block (steps, losses, evals, trainable_parameters, \
        seconds_per_step), the results the script kept with log_metric (one column each) and the whole run's \
        seconds and peak_memory. With --group-by, one row per group and every number as mean ± sample standard \
        deviation over the group's runs (e.g. over seeds). --columns picks columns and their order.

        EXAMPLES
          ptune runs table runs/sweep
          ptune runs table runs/sweep --only-changed --sort loss
          ptune runs table runs/sweep --group-by lr,virtual --format csv
          ptune runs table runs/methods --columns run,test_accuracy,trainable_parameters,seconds_per_step
        """)

    @ArgumentParser.Argument(help: ArgumentHelp("A folder of run records (searched recursively), or one record folder.", valueName: "DIR"))
    var folder: String

    @Option(name: .long, help: "markdown, csv or json.")
    var format: RunTable.Format = .markdown

    @Flag(name: .customLong("only-changed"), help: "Keep only the setting columns whose values differ between runs.")
    var onlyChanged = false

    @Option(name: .customLong("group-by"), help: ArgumentHelp("Group by these settings (comma-separated); numbers become mean ± std.", valueName: "NAMES"))
    var groupBy: String?

    @Option(name: .long, help: ArgumentHelp("Sort by this column (e.g. loss, best_eval, lr).", valueName: "COLUMN"))
    var sort: String?

    @Flag(name: .long, help: "Sort from the largest.")
    var descending = false

    @Option(name: .customLong("eval-goal"), help: "Whether the best eval is the min (an eval loss; the default, as train's goal) or the max (accuracy).")
    var evalGoal: MetricGoal = .min

    @Option(name: .long, help: ArgumentHelp("Show only these columns, in this order (comma-separated, e.g. run,steps,test_accuracy).", valueName: "NAMES"))
    var columns: String?

    func run() throws {
        func names(_ list: String) -> [String] { list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let groups = groupBy.map(names) ?? []
        do {
            let runs = try RunFolder.gather(folder)
            guard !runs.isEmpty else { throw RunsError.noRuns(folder) }
            let table = try RunTable(runs: runs, options: .init(onlyChanged: onlyChanged, groupBy: groups, sort: sort,
                                                                  descending: descending, goal: evalGoal,
                                                                  columns: columns.map(names)))
            print(table.rendered(as: format), terminator: "")
        } catch {
            throw RunsCommand.fail(error)
        }
    }
}

/// `ptune runs diff A B`: what differs between two runs.
struct RunsDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "What differs between two recorded runs: recipe text, overrides and seed, environment, numbers (B - A).")

    @ArgumentParser.Argument(help: ArgumentHelp("The first run's record folder.", valueName: "A"))
    var a: String

    @ArgumentParser.Argument(help: ArgumentHelp("The second run's record folder.", valueName: "B"))
    var b: String

    @Option(name: .customLong("eval-goal"), help: "Whether the best eval is the min (the default) or the max.")
    var evalGoal: MetricGoal = .min

    func run() throws {
        do {
            let first = try RunFolder(path: a, name: a), second = try RunFolder(path: b, name: b)
            print(RunDiff(first, second, goal: evalGoal).rendered(), terminator: "")
        } catch {
            throw RunsCommand.fail(error)
        }
    }
}

extension RunCurves.Metric: ExpressibleByArgument {}

/// `ptune runs plot DIR --metric loss -o curves.svg`: the curves of every run, or of every group with a band.
struct RunsPlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot a metric over the steps of every recorded run under DIR (or of every group, mean with a ± std band): SVG with -o, else in the terminal.",
        discussion: """
        EXAMPLES
          ptune runs plot runs/sweep --metric loss
          ptune runs plot runs/sweep --metric eval --group-by lr --smooth 0.6 -o curves.svg
        """)

    @ArgumentParser.Argument(help: ArgumentHelp("A folder of run records (searched recursively).", valueName: "DIR"))
    var folder: String

    @Option(name: .long, help: "loss, eval or lr.")
    var metric: RunCurves.Metric = .loss

    @Option(name: .customLong("group-by"), help: ArgumentHelp("One curve per group of these settings (comma-separated): the mean, with a ± std band.", valueName: "NAMES"))
    var groupBy: String?

    @Option(name: .long, help: ArgumentHelp("Smoothing weight in [0, 1), as TensorBoard's slider (default 0: none).", valueName: "W"))
    var smooth: Double = 0

    @Option(name: .customShort("o"), help: ArgumentHelp("Write an SVG file here instead of drawing in the terminal.", valueName: "FILE"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("The terminal chart's width in columns (default: the terminal's).", valueName: "N"))
    var width: PositiveCount?

    mutating func validate() throws {
        guard smooth >= 0 && smooth < 1 else { throw ValidationError("--smooth must be in [0, 1)") }
    }

    func run() throws {
        let groups = groupBy.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        do {
            let runs = try RunFolder.gather(folder)
            guard !runs.isEmpty else { throw RunsError.noRuns(folder) }
            let curves = try RunCurves(runs: runs, metric: metric, groupBy: groups, smoothing: smooth)
            if let output {
                try Data(SVGPlot.render(curves.spec).utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                print("wrote \(output): \(curves.spec.series.count) curve\(curves.spec.series.count == 1 ? "" : "s") of \(metric.rawValue)")
            } else {
                let columns = width?.value ?? Console.terminalWidth()
                print(TerminalPlot.render(curves.spec, width: max(20, columns - 12), height: 15,
                                          color: Console.wantsColor(noColorFlag: false)), terminator: "")
            }
        } catch {
            throw RunsCommand.fail(error)
        }
    }
}
