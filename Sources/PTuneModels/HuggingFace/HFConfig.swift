import Foundation
import PTuneCore

/// A Hugging Face `config.json`: typed, checked access to its hyperparameters. A key that is missing, of the wrong
/// type or out of range is a ``ModelError/invalidConfig(file:reason:)`` naming the file and the key.
public struct HFConfig: Sendable {
    /// The file's path.
    public let file: String
    /// The top-level members.
    public let values: [String: JSONValue]

    /// Parses the bytes of a `config.json` (`file` names it in errors).
    public init(data: Data, file: String) throws {
        self.file = file
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch {
            throw ModelError.invalidConfig(file: file, reason: "not valid JSON: \(error)")
        }
        guard let object = json.objectValue else { throw ModelError.invalidConfig(file: file, reason: "not a JSON object") }
        values = object
    }

    /// The object at `key` of another configuration, as a configuration of its own (`text_config` of a multimodal
    /// model); errors name the same file.
    public init(object: [String: JSONValue], file: String) {
        self.file = file
        values = object
    }

    /// The object at `key` as a configuration, or nil when absent or null.
    public func subconfig(_ key: String) throws -> HFConfig? {
        guard has(key), let v = values[key] else { return nil }
        guard let o = v.objectValue else { throw wrongType(key, "an object", v) }
        return HFConfig(object: o, file: file)
    }

    /// A list of strings, or nil when absent or null.
    public func strings(_ key: String) throws -> [String]? {
        guard has(key), let v = values[key] else { return nil }
        let items = v.arrayValue?.compactMap(\.stringValue)
        guard let items, items.count == v.arrayValue?.count else { throw wrongType(key, "a list of strings", v) }
        return items
    }

    /// Whether `key` is present and not null.
    public func has(_ key: String) -> Bool { values[key].map { !$0.isNull } ?? false }

    /// `model_type`.
    public func modelType() throws -> String { try string("model_type") }

    /// A string value.
    public func string(_ key: String) throws -> String {
        let v = try value(key)
        guard let s = v.stringValue else { throw wrongType(key, "a string", v) }
        return s
    }

    /// A string value, or `fallback` when absent or null.
    public func string(_ key: String, default fallback: String) throws -> String { has(key) ? try string(key) : fallback }

    /// An integer value (a JSON number with no fraction).
    public func int(_ key: String) throws -> Int {
        let v = try value(key)
        if let i = v.intValue { return i }
        throw wrongType(key, "a whole number", v)
    }

    /// An integer value, or `fallback` when absent or null.
    public func int(_ key: String, default fallback: Int) throws -> Int { has(key) ? try int(key) : fallback }

    /// A positive integer no larger than `limit` (sizes and counts).
    public func positiveInt(_ key: String, atMost limit: Int = 1 << 24) throws -> Int {
        let n = try int(key)
        guard n > 0, n <= limit else { throw invalid(key, "\(n) is not in 1...\(limit)") }
        return n
    }

    /// A positive integer no larger than `limit`, or `fallback` when absent or null.
    public func positiveInt(_ key: String, default fallback: Int, atMost limit: Int = 1 << 24) throws -> Int {
        has(key) ? try positiveInt(key, atMost: limit) : fallback
    }

    /// A finite number.
    public func double(_ key: String) throws -> Double {
        let v = try value(key)
        guard let d = v.doubleValue, d.isFinite else { throw wrongType(key, "a finite number", v) }
        return d
    }

    /// A finite number, or `fallback` when absent or null.
    public func double(_ key: String, default fallback: Double) throws -> Double { has(key) ? try double(key) : fallback }

    /// A boolean, or `fallback` when absent or null.
    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard has(key), let v = values[key] else { return fallback }
        guard let b = v.boolValue else { throw wrongType(key, "true or false", v) }
        return b
    }

    /// A token id that may be written as one id or a list (the first is taken), or `fallback` when absent or null.
    public func tokenId(_ key: String, default fallback: Int?) throws -> Int? {
        guard has(key), let v = values[key] else { return fallback }
        if let list = v.arrayValue {
            guard let first = list.first else { return fallback }
            guard let i = first.intValue else { throw wrongType(key, "a token id", v) }
            return i
        }
        return try int(key)
    }

    /// The error for a key whose value is out of range.
    public func invalid(_ key: String, _ why: String) -> ModelError {
        ModelError.invalidConfig(file: file, reason: "'\(key)': \(why)")
    }

    private func value(_ key: String) throws -> JSONValue {
        guard let v = values[key], !v.isNull else { throw ModelError.invalidConfig(file: file, reason: "'\(key)' is missing") }
        return v
    }

    private func wrongType(_ key: String, _ expected: String, _ found: JSONValue) -> ModelError {
        ModelError.invalidConfig(file: file, reason: "'\(key)' should be \(expected), found \(found.serialized())")
    }
}
