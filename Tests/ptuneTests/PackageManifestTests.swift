import Foundation
import Testing

/// Package.swift declares every module a target imports, and modules import only downwards: front ends → run layer
/// → language → models → NN → core.
@Suite struct PackageManifestTests {
    /// Modules that come with the platform, not from the package.
    static let platformModules: Set<String> = ["Foundation", "FoundationEssentials", "Glibc", "Darwin", "Musl", "Dispatch",
                                               "Synchronization", "Testing", "XCTest"]

    /// The product modules of package dependencies, by the module name code imports.
    static let productModules: [String: String] = ["ArgumentParser": "ArgumentParser"]

    /// Each target of Package.swift: its folder and the modules it depends on (target names, product modules).
    static func targets() throws -> [(name: String, folder: String, dependencies: Set<String>)] {
        let manifest = try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        var result: [(name: String, folder: String, dependencies: Set<String>)] = []
        for kind in [".target(", ".executableTarget(", ".testTarget("] {
            var rest = manifest[...]
            while let start = rest.range(of: kind) {
                // The declaration runs to the parenthesis that closes the one after its kind.
                var depth = 0, end = start.upperBound
                for i in manifest[start.lowerBound...].indices {
                    if manifest[i] == "(" { depth += 1 }
                    if manifest[i] == ")" { depth -= 1; if depth == 0 { end = i; break } }
                }
                let text = String(manifest[start.lowerBound..<end])
                rest = manifest[end...]
                guard let name = PackageManifestTests.firstQuoted(after: "name:", in: text) else { continue }
                var dependencies = Set<String>()
                if let deps = text.range(of: "dependencies: [") {
                    let list = text[deps.upperBound...].prefix { $0 != "]" }
                    for piece in list.split(separator: ",") {
                        let word = piece.trimmingCharacters(in: .whitespacesAndNewlines)
                        if word.hasPrefix("\"") { dependencies.insert(word.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
                        if word.hasPrefix(".product(name:"), let product = PackageManifestTests.firstQuoted(after: "name:", in: word) {
                            dependencies.insert(productModules[product] ?? product)
                        }
                    }
                }
                let folder = PackageManifestTests.firstQuoted(after: "path:", in: text)
                    ?? (kind == ".testTarget(" ? "Tests/" : "Sources/") + name
                result.append((name, folder, dependencies))
            }
        }
        return result
    }

    /// The text between the quotes after `label`.
    static func firstQuoted(after label: String, in text: String) -> String? {
        guard let l = text.range(of: label), let open = text[l.upperBound...].firstIndex(of: "\""),
              let close = text[text.index(after: open)...].firstIndex(of: "\"") else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    /// The modules the Swift files under `folder` import.
    static func imports(in folder: String) -> Set<String> {
        let root = PtuneProcess.packageRoot.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var modules = Set<String>()
        while let path = walker.nextObject() as? String {
            guard path.hasSuffix(".swift"), !path.contains("/Golden/"),
                  let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                      words[..<i].allSatisfy({ $0 == "@testable" || $0.hasPrefix("@_") || $0 == "public" || $0 == "internal" }) else { continue }
                modules.insert(words[i + 1])
            }
        }
        return modules.subtracting(platformModules)
    }

    @Test func everyImportIsADeclaredDependency() throws {
        let targets = try PackageManifestTests.targets()
        #expect(targets.count >= 15)
        for t in targets {
            let missing = PackageManifestTests.imports(in: t.folder).subtracting(t.dependencies).sorted()
            #expect(missing.isEmpty, "\(t.name) imports \(missing) without declaring them in Package.swift")
        }
    }

    /// Each library layer may import only the layers under it.
    @Test func modulesImportOnlyDownwards() {
        let layers = ["PTuneCore", "PTuneNN", "PTuneModels", "PTuneLang", "PTuneRun", "PTuneREPL", "PTuneLSP", "PTuneKernel", "ptune"]
        for (level, module) in layers.enumerated() {
            let above = Set(layers[(level + 1)...])
            let wrong = PackageManifestTests.imports(in: "Sources/" + module).intersection(above).sorted()
            #expect(wrong.isEmpty, "\(module) imports \(wrong), which build on it")
        }
    }
}
