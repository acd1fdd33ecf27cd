import Foundation
import PTuneCore
import PTuneLang
import Testing
@testable import PTuneKernel

/// What notebooks show: tensors and tables as HTML, charts as SVG, and where the kernel spec goes.
@Suite struct RenderingTests {
    @Test func tensorsBecomeTablesWithTheirShape() throws {
        let t = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5], dtype: .float64)
        let bundle = MimeBundle.value(.tensor(t))
        #expect(bundle.plain == Value.tensor(t).debugText)
        let html = try #require(bundle.html)
        #expect(html.components(separatedBy: "<tr>").count == 3 && html.components(separatedBy: "<td>").count == 7)
        #expect(html.contains("<td>6.5000</td>") && html.contains("shape [2, 3] float64"))
        // Long axes show their ends around an ellipsis; other ranks have no table.
        let long = try Tensor(shape: [100], values: (0..<100).map(Double.init), dtype: .float32)
        let row = try #require(MimeBundle.value(.tensor(long)).html)
        #expect(row.contains("<td>…</td>") && row.components(separatedBy: "<td>").count == 1 + 2 * MimeBundle.edgeItems + 1)
        #expect(MimeBundle.value(.tensor(try Tensor(shape: [2, 2, 2], values: Array(repeating: 0, count: 8), dtype: .float32))).html == nil)
        #expect(MimeBundle.value(.string("<b>")).html == nil)
    }

    @Test func htmlIsEscaped() {
        #expect(MimeBundle.escape("a<b & \"c\">") == "a&lt;b &amp; &quot;c&quot;&gt;")
    }

    @Test func chartsCarrySVGAndTheirTextDrawing() {
        let spec = PlotSpec(series: [PlotSeries(name: "loss", ys: [3, 2, 1])], title: "t")
        let bundle = MimeBundle.chart(spec, width: 40, height: 8)
        #expect(bundle.svg?.hasPrefix("<svg") == true && bundle.plain.contains("t"))
    }

    @Test func kernelSpecLocationsAndJSON() throws {
        let env = ["HOME": "/home/u", "VIRTUAL_ENV": "/venv"]
        #expect(try KernelSpec.dataDirectory(.user, environment: env) == "/home/u/.local/share/jupyter")
        #expect(try KernelSpec.dataDirectory(.user, environment: env.merging(["JUPYTER_DATA_DIR": "/d"]) { $1 }) == "/d")
        #expect(try KernelSpec.dataDirectory(.user, environment: env.merging(["XDG_DATA_HOME": "/x"]) { $1 }) == "/x/jupyter")
        #expect(try KernelSpec.dataDirectory(.prefix("/usr/local"), environment: env) == "/usr/local/share/jupyter")
        #expect(try KernelSpec.dataDirectory(.sysPrefix, environment: env) == "/venv/share/jupyter")
        #expect(throws: KernelSpec.Problem.self) { try KernelSpec.dataDirectory(.sysPrefix, environment: ["HOME": "/h"]) }
        let spec = KernelSpec(executable: "/opt/ptune", options: ["--allow-path", "/data"])
        let json = try JSONValue.parse(spec.json)
        #expect(json["argv"] == .array(["/opt/ptune", "jupyter", "kernel", "--connection-file", "{connection_file}", "--allow-path", "/data"].map(JSONValue.string)))
        #expect(json["language"] == .string("ptune") && json["interrupt_mode"] == .string("signal"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-spec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let installed = try spec.install(.prefix(folder.path))
        #expect(installed == folder.path + "/share/jupyter/kernels/ptune")
        #expect(FileManager.default.contents(atPath: installed + "/kernel.json") == Data(spec.json.utf8))
        #expect(throws: KernelSpec.Problem.self) { try KernelSpec(name: "../x", executable: "/p").install(.prefix(folder.path)) }
    }
}
