import Foundation
import Testing
@testable import PTuneLang

/// Every `.pt` program under `Golden/` prints exactly what its `# expect:` lines say, fails with exactly the
/// diagnostics its `# expect error:` lines say, and gives exactly the notes its `# expect note:` lines say.
@Suite struct GoldenTests {
    @Test(arguments: GoldenRunner.programs())
    func golden(_ relative: String) throws {
        let path = GoldenRunner.goldenDirectory.appendingPathComponent(relative).path
        let folder = (path as NSString).deletingLastPathComponent
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = GoldenRunner.expectations(in: text)
        #expect(!expected.output.isEmpty || !expected.errors.isEmpty, "\(relative) has no expectations")
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let got = try GoldenRunner.run(file: path)
        #expect(got.output == expected.output, "output of \(relative)")
        #expect(GoldenRunner.matches(got.errors, expected.errors), "errors of \(relative): \(got.errors)")
        #expect(got.notes == expected.notes, "notes of \(relative): \(got.notes)")
        // What the program wrote stayed in its scratch folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == before, "\(relative) wrote into the source tree")
    }

    /// Every statement form, declaration kind, operator and `train` option is exercised by some golden program, so
    /// a new one cannot be added without a program that shows it working.
    @Test func everyFormOfTheLanguageHasAGoldenProgram() throws {
        var seen = GoldenCoverage()
        for p in GoldenRunner.programs() {
            let text = try String(contentsOfFile: GoldenRunner.goldenDirectory.appendingPathComponent(p).path, encoding: .utf8)
            seen.add(Parser.parse(SourceFile(name: p, text: text)).statements)
        }
        #expect(GoldenCoverage.statementForms.subtracting(seen.statements).isEmpty,
                "statement forms without a golden program: \(GoldenCoverage.statementForms.subtracting(seen.statements).sorted())")
        let decls = Set(DeclKind.allCases).subtracting(seen.declarations)
        #expect(decls.isEmpty, "declarations without a golden program: \(decls.map(\.rawValue).sorted())")
        let binary = Set(BinaryOp.allCases).subtracting(seen.binary)
        #expect(binary.isEmpty, "operators without a golden program: \(binary.map(\.rawValue).sorted())")
        let unary = Set(UnaryOp.allCases).subtracting(seen.unary)
        #expect(unary.isEmpty, "prefix operators without a golden program: \(unary.map(\.rawValue).sorted())")
        let options = Set(TrainOptionName.allCases.map(\.rawValue)).subtracting(seen.trainOptions)
        #expect(options.isEmpty, "train options without a golden program: \(options.sorted())")
        let assignments = Set(AssignOp.allCases).subtracting(seen.assignments)
        #expect(assignments.isEmpty, "assignments without a golden program: \(assignments.map(\.rawValue).sorted())")
    }
}

/// What a set of programs uses of the language.
struct GoldenCoverage {
    /// Every statement form, by the name ``form(_:)`` gives it.
    static let statementForms: Set<String> = [
        "seed", "dtype", "declare", "fn", "if", "for", "while", "train", "print", "assert", "save", "load", "import",
        "return", "break", "continue", "assign", "expression", "if expression", "fn default", "fn expression",
    ]

    var statements: Set<String> = []
    var declarations: Set<DeclKind> = []
    var binary: Set<BinaryOp> = []
    var unary: Set<UnaryOp> = []
    var assignments: Set<AssignOp> = []
    var trainOptions: Set<String> = []

    static func form(_ s: Stmt) -> String {
        switch s {
        case .seed: return "seed"
        case .dtype: return "dtype"
        case .declare: return "declare"
        case .function: return "fn"
        case .ifElse: return "if"
        case .forIn: return "for"
        case .whileLoop: return "while"
        case .train: return "train"
        case .print: return "print"
        case .assert: return "assert"
        case .save: return "save"
        case .load: return "load"
        case .importFile: return "import"
        case .returnValue: return "return"
        case .breakLoop: return "break"
        case .continueLoop: return "continue"
        case .assign: return "assign"
        case .expression: return "expression"
        }
    }

    mutating func add(_ statements: [Stmt]) {
        for s in statements { add(s) }
    }

    mutating func add(_ s: Stmt) {
        statements.insert(GoldenCoverage.form(s))
        switch s {
        case let .seed(e, _), let .expression(e, _): add(e)
        case .dtype, .importFile, .breakLoop, .continueLoop: break
        case let .declare(kind, _, _, e, _):
            declarations.insert(kind)
            add(e)
        case let .function(f):
            if f.defaults.contains(where: { $0 != nil }) { statements.insert("fn default") }
            switch f.body {
            case let .expression(e): add(e)
            case let .block(b): add(b)
            }
        case let .ifElse(c, a, b, _):
            add(c)
            add(a)
            add(b ?? [])
        case let .forIn(_, _, e, body, _), let .whileLoop(e, body, _):
            add(e)
            add(body)
        case let .train(t):
            add(t.data)
            for o in t.options {
                trainOptions.insert(o.name)
                if let v = o.value { add(v) }
                if let c = o.cadence { add(c.count) }
            }
        case let .print(items, _): for e in items { add(e) }
        case let .assert(c, m, _):
            add(c)
            if let m { add(m) }
        case let .save(a, b, _):
            add(a)
            add(b)
        case let .load(_, _, e, _): add(e)
        case let .returnValue(e, _): if let e { add(e) }
        case let .assign(t, op, v, _):
            assignments.insert(op)
            add(t)
            add(v)
        }
    }

    mutating func add(_ e: Expr) {
        switch e {
        case .number, .string, .bool, .none, .name, .tensor: break
        case let .list(items, _), let .chain(items, _): for i in items { add(i) }
        case let .record(fields, _): for f in fields { add(f.value) }
        case let .lambda(f, _):
            statements.insert("fn expression")
            switch f.body {
            case let .expression(e): add(e)
            case let .block(b): add(b)
            }
        case let .conditional(c, a, b, _):
            statements.insert("if expression")
            add(c)
            add(a)
            add(b)
        case let .unary(op, x, _):
            unary.insert(op)
            add(x)
        case let .binary(op, a, b, _):
            binary.insert(op)
            add(a)
            add(b)
        case let .call(callee, args, _):
            add(callee)
            for a in args { add(a.value) }
        case let .member(base, _, _): add(base)
        case let .index(base, subs, _):
            add(base)
            for s in subs {
                switch s {
                case let .at(x): add(x)
                case let .slice(a, b, c, _): for x in [a, b, c] { if let x { add(x) } }
                }
            }
        }
    }
}
