import Foundation
import Testing
@testable import PTuneLang

/// What an editor asks of a source's analysis: the names in scope at a place, what a name refers to, the outline,
/// and the same diagnostics as `ptune check` — also while a block is still being typed.
@Suite struct SourceAnalysisTests {
    static let text = """
        dim embed = 4
        param w = randn(embed, embed)
        fn f(x) {
          let y = x @ w
          return y
        }
        for i in 1..3 {
          let z = f(w)
        }
        let opt = adam([w], lr: 0.1)

        """

    let analysis = SourceAnalysis(SourceFile(name: "a.pt", text: SourceAnalysisTests.text))

    func offset(_ needle: String, after: Int = 0) -> Int {
        let bytes = Array(SourceAnalysisTests.text.utf8), n = Array(needle.utf8)
        for i in 0...(bytes.count - n.count) where Array(bytes[i..<(i + n.count)]) == n { return i + after }
        return -1
    }

    func names(at offset: Int) -> Set<String> { Set(analysis.scope(at: offset).map(\.name)) }

    @Test func scopeFollowsBlocksAndDeclarations() {
        #expect(analysis.diagnostics.isEmpty)
        #expect(names(at: offset("param w")) == ["embed"])
        #expect(names(at: offset("return y")).isSuperset(of: ["embed", "w", "f", "x", "y", "opt"]))
        #expect(names(at: offset("let z")).isSuperset(of: ["i", "embed", "w", "f"]))
        #expect(!names(at: offset("let z")).contains("y"), "a function's locals stay in it")
        #expect(!names(at: offset("let opt")).contains("i"), "a loop's variable stays in the loop")
        #expect(names(at: offset("let opt")).isSuperset(of: ["embed", "w", "f"]))
    }

    @Test func namesResolveToTheirDeclarations() throws {
        let use = try #require(analysis.occurrence(at: offset("x @ w")))
        guard case let .declared(d) = use.referent else { Issue.record("x is a parameter"); return }
        #expect(d.kind == .parameter && d.span?.start == offset("f(x)", after: 2))
        let w = try #require(analysis.occurrence(at: offset("@ w", after: 2)))
        guard case let .declared(wd) = w.referent else { Issue.record("w is a param"); return }
        #expect(wd.summary == "param w: tensor [embed, embed] float32")
        #expect(wd.type.namedShape == "[embed, embed] = [4, 4]")
        guard case .builtin = try #require(analysis.occurrence(at: offset("adam"))).referent else { Issue.record("adam"); return }
        guard case .argument = try #require(analysis.occurrence(at: offset("lr:"))).referent else { Issue.record("lr:"); return }
    }

    @Test func membersAndParametersAtAPlace() {
        let members = analysis.members(of: "opt", at: offset("let opt") + 40).map(\.name)
        #expect(members.contains("step") && members.contains("lr"))
        #expect(analysis.parameterNames(of: "f", at: offset("let z")) == ["x"])
        #expect(analysis.parameterNames(of: "adam", at: 0).contains("lr"))
        #expect(analysis.type(of: "w @ w", at: offset("let opt"))?.description == "tensor [embed, embed] float32")
    }

    @Test func outlineNestsAFunctionsLocals() {
        let outline = analysis.outline
        #expect(outline.map(\.name) == ["embed", "w", "f", "opt"])
        #expect(outline[2].children.map(\.name) == ["y"])
        #expect(outline[0].detail == "= 4")
    }

    @Test func anOpenBlockKeepsItsNamesKnown() {
        let typing = SourceAnalysis(SourceFile(name: "b.pt", text: "dim n = 2\nfn g(a) {\n  let b = a\n  b."))
        #expect(!typing.diagnostics.isEmpty, "the open block is a syntax error, as ptune check says")
        let end = typing.file.bytes.count
        #expect(Set(typing.scope(at: end).map(\.name)).isSuperset(of: ["n", "g", "a", "b"]))
    }
}
