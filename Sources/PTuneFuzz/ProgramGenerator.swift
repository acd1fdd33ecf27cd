/// Turns fuzzer bytes into a small ptune program: each byte picks the next grammar choice, so mutating a byte
/// changes one decision and the programs stay mostly well-formed — well-formed enough to get past the checker and
/// exercise the interpreter (tensor ops with clashing shapes, recursion, loops, training, indexing, data).
/// When the bytes run out every choice is the first (the simplest), so generation always ends.
struct ProgramGenerator {
    private var bytes: [UInt8]
    private var position = 0
    private var names: [String] = []
    private var functions: [(name: String, arity: Int)] = []
    private var counter = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next choice in `0..<n`.
    mutating func choose(_ n: Int) -> Int {
        guard position < bytes.count, n > 1 else { return 0 }
        defer { position += 1 }
        return Int(bytes[position]) % n
    }

    /// One of `items`.
    mutating func pick<T>(_ items: [T]) -> T { items[choose(items.count)] }

    mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// A program of up to 12 statements.
    mutating func program() -> String {
        var lines = ["seed \(choose(4))"]
        if choose(4) == 0 { lines.append("dtype float64") }
        for _ in 0..<(1 + choose(12)) where position < bytes.count { lines.append(statement(depth: 0)) }
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func statement(depth: Int) -> String {
        let limit = depth < 2 ? 12 : 6
        switch choose(limit) {
        case 0:
            let n = fresh("v")
            let s = "let \(n) = \(expression(3))"
            names.append(n)
            return s
        case 1:
            let n = fresh("d")
            names.append(n)
            return "dim \(n) = \(pick(["1", "2", "3", "4", "0", "-1", "2.5", "100000"]))"
        case 2:
            return "print \(expression(3))"
        case 3:
            guard let n = names.last else { return "print \(expression(2))" }
            return "\(n) \(pick(["=", "+=", "-=", "*=", "/="])) \(expression(2))"
        case 4:
            return "assert \(expression(2)), \"fuzz\""
        case 5:
            return expression(3)
        case 6:
            let n = fresh("p")
            names.append(n)
            return "\(pick(["param", "frozen"])) \(n) = \(pick(["randn", "zeros", "ones", "rand"]))(\(shape()))"
        case 7:
            let n = fresh("f"), arity = choose(3)
            let params = (0..<arity).map { "a\($0)" }
            functions.append((n, arity))
            let saved = names
            names += params
            let body = choose(2) == 0 ? "= \(expression(3))" : "{\n\(statement(depth: depth + 1))\nreturn \(expression(2))\n}"
            names = saved
            return "fn \(n)(\(params.joined(separator: ", "))) \(body)"
        case 8:
            let v = fresh("i")
            names.append(v)
            defer { names.removeLast() }
            return "for \(v) in \(pick(["0..3", "1..10", "[1, 2, 3]", "0..<0", "range(5)"])) {\n\(block(depth))\n}"
        case 9:
            return "if \(expression(2)) {\n\(block(depth))\n} else {\n\(block(depth))\n}"
        case 10:
            return "while \(expression(2)) {\n\(block(depth))\nbreak\n}"
        default:
            return train()
        }
    }

    mutating func block(_ depth: Int) -> String {
        (0..<(1 + choose(3))).map { _ in statement(depth: depth + 1) }.joined(separator: "\n")
    }

    mutating func train() -> String {
        let p = fresh("w"), d = fresh("data")
        names += [p, d]
        let n = pick(["4", "8", "1", "0"])
        return """
        param \(p) = zeros(\(pick(["2", "3", "2, 2"])))
        data \(d) = dataset(x: randn(\(n), 2), y: randint(0, 2, \(n)))
        train \(p) on \(d) {
          loss: \(pick(["mse(batch.x * \(p), batch.x)", "sum(batch.x * \(p))", "mean(\(p) * \(p)) / 0", "cross_entropy(batch.x, batch.y)", "sum(\(p)) * 1e300 * 1e300"]))
          optimizer: \(pick(["sgd(lr: 0.1)", "adam(lr: 1e-3)", "sgd(lr: -1)"]))
          \(pick(["steps", "epochs", "batch"])): \(pick(["1", "3", "0", "-2", "2.5"]))
        }
        """
    }

    mutating func shape() -> String {
        (0..<(1 + choose(3))).map { _ in names.filter { $0.hasPrefix("d") }.isEmpty || choose(2) == 0
            ? pick(["1", "2", "3", "0", "4", "-1", "70000"]) : pick(names.filter { $0.hasPrefix("d") }) }
            .joined(separator: ", ")
    }

    mutating func expression(_ depth: Int) -> String {
        if depth <= 0 { return atom() }
        switch choose(10) {
        case 0, 1: return atom()
        case 2: return "\(expression(depth - 1)) \(pick(["+", "-", "*", "/", "@", "%", "**", "==", "<", "and", "or"])) \(expression(depth - 1))"
        case 3: return "\(pick(["-", "not "]))\(expression(depth - 1))"
        case 4: return call(depth)
        case 5: return "\(expression(depth - 1))[\(pick(["0", "-1", "5", "1:", ":, 0", "0:2", "2:1", "i", "1.5"]))]"
        case 6: return "\(expression(depth - 1)).\(pick(["shape", "T", "dtype", "sum()", "mean()", "item()", "x", "len"]))"
        case 7: return "[\((0..<choose(4)).map { _ in expression(depth - 1) }.joined(separator: ", "))]"
        case 8:
            guard let f = functions.isEmpty ? nil : pick(functions) else { return call(depth) }
            return "\(f.name)(\((0..<f.arity).map { _ in expression(depth - 1) }.joined(separator: ", ")))"
        default: return "(\(expression(depth - 1)))"
        }
    }

    mutating func call(_ depth: Int) -> String {
        let builtins = ["zeros", "ones", "randn", "rand", "arange", "concat", "stack", "reshape", "transpose", "sum",
                        "mean", "max", "softmax", "log_softmax", "exp", "log", "sqrt", "relu", "tanh", "matmul", "mse",
                        "cross_entropy", "one_hot", "len", "str", "range", "append", "list", "tensor", "where", "unsqueeze",
                        "squeeze", "permute", "clamp", "pow", "norm", "grad", "item", "detach", "full", "randint",
                        "format", "floor", "round", "accuracy", "shuffle", "split", "take", "batches", "read_text",
                        "read_csv", "write_text", "linear", "mlp", "load"]
        let name = pick(builtins)
        var args = (0..<choose(4)).map { _ in expression(depth - 1) }
        if choose(3) == 0 { args.append("\(pick(["axis", "lr", "dim", "n", "dtype", "hidden", "keepdim"])): \(atom())") }
        return "\(name)(\(args.joined(separator: ", ")))"
    }

    mutating func atom() -> String {
        switch choose(8) {
        case 0: return pick(["0", "1", "2", "-1", "0.5", "1e308", "1e-320", "3"])
        case 1: return names.isEmpty ? "1" : pick(names)
        case 2: return "[[1, 2], [3, 4]]"
        case 3: return "\(pick(["zeros", "ones", "randn"]))(\(shape()))"
        case 4: return pick(["\"text\"", "\"\"", "\"a.csv\"", "\"../x\"", "\"/etc/passwd\""])
        case 5: return pick(["true", "false", "none"])
        case 6: return pick(["[1, 2, 3]", "[]", "[[1], [2, 3]]", "0..4"])
        default: return names.isEmpty ? "2" : pick(names)
        }
    }
}
