/// Typed access to GGUF metadata: a missing key or a value of the wrong type is a ``GGUFError`` naming the key.
extension GGUFFile {
    /// The value at `key`, or a missing-key error.
    public func value(_ key: String) throws -> GGUFValue {
        guard let v = metadata[key] else { throw GGUFError(file: name, offset: nil, .missingKey(key)) }
        return v
    }

    /// A string value.
    public func string(_ key: String) throws -> String {
        let v = try value(key)
        guard let s = v.string else { throw wrongType(key, "string", v) }
        return s
    }

    /// An integer value of any integer type.
    public func int(_ key: String) throws -> Int {
        let v = try value(key)
        guard let i = v.int else { throw wrongType(key, "an integer", v) }
        return i
    }

    /// A numeric value (float or integer).
    public func double(_ key: String) throws -> Double {
        let v = try value(key)
        guard let d = v.double else { throw wrongType(key, "a number", v) }
        return d
    }

    /// A boolean value.
    public func bool(_ key: String) throws -> Bool {
        let v = try value(key)
        guard let b = v.bool else { throw wrongType(key, "bool", v) }
        return b
    }

    /// An array of strings.
    public func strings(_ key: String) throws -> [String] {
        let v = try value(key)
        guard let s = v.array?.strings else { throw wrongType(key, "array of string", v) }
        return s
    }

    /// An array of integers of any integer type.
    public func ints(_ key: String) throws -> [Int] {
        let v = try value(key)
        guard let s = v.array?.ints else { throw wrongType(key, "array of integers", v) }
        return s
    }

    /// A positive integer no larger than `limit` (dimensions, counts), or an error naming the key.
    public func positiveInt(_ key: String, atMost limit: Int = 1 << 24) throws -> Int {
        let n = try int(key)
        guard n > 0, n <= limit else {
            throw GGUFError(file: name, offset: nil, .invalidValue(key: key, reason: "\(n) is not in 1...\(limit)"))
        }
        return n
    }

    private func wrongType(_ key: String, _ expected: String, _ found: GGUFValue) -> GGUFError {
        GGUFError(file: name, offset: nil, .wrongType(key: key, expected: expected, found: found.typeName))
    }
}
