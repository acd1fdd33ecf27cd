import Foundation
import Testing

/// CONTRIBUTING.md and ARCHITECTURE.md stay true to the tree: every target of Package.swift is on the module map,
/// every source path they name exists, and every type they name is declared in the sources or tests.
@Suite struct ContributorDocsTests {
    static func text(_ name: String) throws -> String {
        try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent(name), encoding: .utf8)
    }

    /// The spans between backticks, outside fenced blocks.
    static func codeSpans(_ text: String) -> [String] {
        var inFence = false
        let prose = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if line.hasPrefix("```") { inFence.toggle(); return false }
            return !inFence
        }.joined(separator: "\n")
        return prose.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// Where a named path may live: at the root, or under `Sources/` for a module's folder.
    static func exists(_ path: String) -> Bool {
        let root = PtuneProcess.packageRoot
        return [path, "Sources/" + path].contains { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
    }

    @Test func everyTargetIsOnTheModuleMap() throws {
        let manifest = try Self.text("Package.swift")
        let architecture = try Self.text("ARCHITECTURE.md")
        let names = manifest.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("Target(name: \"") || line.contains(".target(name: \"") || line.contains("name: \"PTune") else { return nil }
            guard let start = line.range(of: "name: \"") else { return nil }
            return String(line[start.upperBound...].prefix { $0 != "\"" })
        }
        let modules = Set(names.filter { !$0.hasSuffix("Tests") && !$0.hasPrefix("ptune-") })
        #expect(modules.count >= 10)
        for module in modules { #expect(architecture.contains(module), "ARCHITECTURE.md does not name the target \(module)") }
    }

    /// The path a code span names (its first word, when that looks like a path in the tree), or nil.
    static func namedPath(_ span: String) -> String? {
        guard let word = span.split(separator: " ").first.map(String.init), word.contains("/") else { return nil }
        guard let first = word.first, first.isLetter else { return nil }
        if word.contains("…") || word.contains("*") { return nil }
        return word.hasSuffix("/") ? String(word.dropLast()) : word
    }

    @Test(arguments: ["ARCHITECTURE.md", "CONTRIBUTING.md"])
    func namedPathsExist(_ document: String) throws {
        let paths = Self.codeSpans(try Self.text(document)).compactMap(Self.namedPath)
        #expect(paths.count >= 5)
        for path in paths { #expect(Self.exists(path), "\(document) names \(path), which is not in the tree") }
    }

    @Test(arguments: ["ARCHITECTURE.md", "CONTRIBUTING.md"])
    func namedTypesAreDeclared(_ document: String) throws {
        let root = PtuneProcess.packageRoot
        let sources = try ["Sources", "Tests"].flatMap { folder in
            try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent(folder).path)
                .filter { $0.hasSuffix(".swift") }
                .map { try String(contentsOf: root.appendingPathComponent(folder + "/" + $0), encoding: .utf8) }
        }.joined(separator: "\n")
        // A span that is one capitalised identifier, or `Type.member`, names a type declared in the sources.
        let types = Self.codeSpans(try Self.text(document)).compactMap { span -> String? in
            let name = String(span.prefix { $0 != "." })
            guard let first = name.first, first.isUppercase, name.allSatisfy({ $0.isLetter || $0.isNumber }),
                  !name.hasPrefix("PTune"), !name.hasPrefix("C"), !["Package", "Any"].contains(name) else { return nil }
            return name
        }
        #expect(types.count >= 10)
        for type in Set(types) {
            let declared = ["struct ", "class ", "enum ", "protocol ", "typealias ", "actor "]
                .contains { sources.contains($0 + type + " ") || sources.contains($0 + type + ":") || sources.contains($0 + type + "<") }
            #expect(declared, "\(document) names \(type), which no source declares")
        }
    }
}
