import Foundation
import PTuneCore

extension BuiltinRegistry {
    /// Datasets: from columns, files and synthetic generators; batches, shuffles and splits (all seeded).
    static let dataBuiltins: [Builtin] = [
        Builtin("dataset", [.namedRest("columns", "tensor or list")], returns: "dataset", topic: .data,
                summary: "a dataset from named columns of equal length (tensors: one row per example; lists of strings)",
                example: "data toy = dataset(x: randn(64, embed), y: randint(0, 3, [64]))",
                infer: { c in
                    guard case let .record(r) = c[0] else { return .dataset([:]) }
                    var cols: [String: LangType] = [:]
                    for (n, t) in zip(r.names, r.types) { cols[n] = t }
                    return .dataset(cols)
                },
                run: { a, _ in
                    guard case let .record(r) = a[0], !r.names.isEmpty else {
                        throw RuntimeFailure(.badArgument(function: "dataset", "give at least one column: dataset(x: …, y: …)"))
                    }
                    let cols: [DatasetObject.Column] = try zip(r.names, r.values).map { name, v in
                        if let t = v.tensorValue { return .tensor(t.detached()) }
                        if case let .list(items) = v {
                            if let lit = try Value.tensorLiteral(items) { return .tensor(try Tensor(literal: lit, dtype: a.listDType)) }
                            return .strings(try items.map { i in
                                guard case let .string(s) = i else { throw RuntimeFailure(.wrongKind(context: "column '\(name)'", expected: "strings or numbers", got: i.kindText)) }
                                return s
                            })
                        }
                        throw RuntimeFailure(.wrongKind(context: "column '\(name)'", expected: "a tensor or a list", got: v.kindText))
                    }
                    return .dataset(try DatasetObject(names: r.names, columns: cols, source: "inline"))
                }),
        reader("read_csv", "a CSV file with a header row", "data reviews = read_csv(\"reviews.csv\")") { data, path, dt in
            guard let text = String(data: data, encoding: .utf8) else { throw RuntimeFailure(.badData(path: path, "the file is not UTF-8 text")) }
            return try DataReaders.delimited(text, separator: ",", path: path, dtype: dt)
        },
        reader("read_tsv", "a tab-separated file with a header row", "data pairs = read_tsv(\"pairs.tsv\")") { data, path, dt in
            guard let text = String(data: data, encoding: .utf8) else { throw RuntimeFailure(.badData(path: path, "the file is not UTF-8 text")) }
            return try DataReaders.delimited(text, separator: "\t", path: path, dtype: dt)
        },
        reader("read_jsonl", "a JSON-lines file (one object per line)", "data qa = read_jsonl(\"qa.jsonl\")") { data, path, dt in
            try DataReaders.jsonl(data, path: path, dtype: dt)
        },
        Builtin("load_tensors", [.receiver("path", .string), .optional("dtype", "dtype", .none)], returns: "record",
                topic: .data,
                summary: "the tensors of a .safetensors file, or of a JSON tensor dump (the reference workloads' --dump-init files), as a record (floats converted to dtype when given)",
                example: "let init = load_tensors(\"w2.safetensors\")", result: .unknown,
                run: { a, m in
                    let (data, path) = try readFile(a, m)
                    if path.hasSuffix(".safetensors") {
                        let tensors: [String: Tensor]
                        do { tensors = try SafeTensors.decode(data) } catch { throw RuntimeFailure(.badData(path: path, "\(error)")) }
                        let dt: DType? = a.isNone(1) ? nil : try a.dtype(1)
                        var fields: [(String, Value)] = []
                        for (k, t) in tensors.sorted(by: { $0.key < $1.key }) {
                            if let d = dt, t.dtype.isFloatingPoint { fields.append((k, .tensor(try t.to(d)))) } else { fields.append((k, .tensor(t))) }
                        }
                        return .record(Record(fields))
                    }
                    return .record(try DataReaders.tensors(data, path: path, dtype: a.isNone(1) ? .float64 : try a.dtype(1)))
                }),
        Builtin("synthetic_classes", [.required("n", "int"), .optional("seq", "int", .none), .required("dim", "int"),
                                      .required("classes", "int"), .optional("noise", "number", .number(1))],
                returns: "dataset", topic: .data,
                summary: "Gaussian blobs: x = the mean of class y plus noise (x: [n, seq, dim] or [n, dim]), y: int64 labels",
                example: "data train = synthetic_classes(n: 1024, seq: 16, dim: embed, classes: 8)",
                infer: { c in
                    var xs: [Dim] = [ShapeRules.dim(from: c[0])]
                    if c.given[1] { xs.append(ShapeRules.dim(from: c[1])) }
                    xs.append(ShapeRules.dim(from: c[2]))
                    return .dataset(["x": .tensor(TensorType(shape: xs, dtype: c.defaultDType)), "y": .tensor(TensorType(shape: [xs[0]], dtype: .int64))])
                },
                run: { a, m in
                    let n = try a.int(0), seq = try a.optionalInt(1), dim = try a.int(2), classes = try a.int(3), noise = try a.number(4)
                    guard n > 0, dim > 0, classes > 0, (seq ?? 1) > 0 else {
                        throw RuntimeFailure(.badArgument(function: "synthetic_classes", "n, seq, dim and classes must be positive"))
                    }
                    let rows = (seq ?? 1) * dim
                    let (n64, r64) = n.multipliedReportingOverflow(by: rows)
                    guard !r64, n64 <= m.options.limits.maxTensorElements else {
                        throw RuntimeFailure(.tensor(TensorError.tooLarge(elements: r64 ? Int.max : n64, limit: m.options.limits.maxTensorElements).description))
                    }
                    let dt = m.defaultDType
                    return try m.withRandom { g in
                        let means = try Tensor.randn([classes, dim], using: &g).doubles
                        let labels = (0..<n).map { _ in g.nextInt(in: 0..<classes) }
                        var xs = [Double](repeating: 0, count: n64)
                        for i in 0..<n {
                            for t in 0..<(seq ?? 1) {
                                for d in 0..<dim { xs[(i * (seq ?? 1) + t) * dim + d] = means[labels[i] * dim + d] + noise * g.nextNormal() }
                            }
                        }
                        let shape = seq.map { [n, $0, dim] } ?? [n, dim]
                        return .dataset(try DatasetObject(names: ["x", "y"], columns: [
                            .tensor(try Tensor(shape: shape, values: xs, dtype: dt)),
                            .tensor(try Tensor(shape: [n], scalars: labels.map { Int64($0) })),
                        ], source: "synthetic_classes(n: \(n), dim: \(dim), classes: \(classes))"))
                    }
                }),
        Builtin("batches", [.receiver("data", .dataset), .required("size", "int"), .optional("shuffle", "bool", .bool(false))],
                returns: "list", topic: .data, summary: "the dataset cut into batches (records with one field per column), shuffled if asked",
                example: "for batch in batches(train, 32, shuffle: true) { opt.step(loss(batch)) }",
                infer: { c in
                    guard case let .dataset(cols) = c[0] else { return .list(.unknown) }
                    return .list(.record(RecordType(cols.keys.sorted().map { ($0, cols[$0] ?? .unknown) })))
                },
                run: { a, m in
                    let ds = try dataset(a, 0), size = try a.int(1), shuffle = try a.bool(2)
                    guard size > 0 else { throw RuntimeFailure(.badArgument(function: "batches", "size must be positive")) }
                    let bs = shuffle ? try m.withRandom { try ds.batches(size: size, shuffle: true, rng: &$0) }
                        : try ds.batches(size: size, shuffle: false, rng: &m.rng)
                    return .list(bs.map { .record($0) })
                }),
        Builtin("shuffle", [.receiver("data", .dataset)], returns: "dataset", topic: .data,
                summary: "the rows in a random order (seeded)", example: "data mixed = shuffle(train)",
                infer: { c in c[0] },
                run: { a, m in
                    let ds = try dataset(a, 0)
                    let perm = m.withRandom { $0.permutation(ds.count) }
                    return .dataset(try ds.subset(perm, source: ds.source))
                }),
        Builtin("split", [.receiver("data", .dataset), .required("fraction", "number"), .optional("shuffle", "bool", .bool(true))],
                returns: "record", topic: .data, summary: "{train, test}: the first fraction of the (shuffled) rows, and the rest",
                example: "let parts = split(all, 0.8)",
                infer: { c in .record(RecordType([("train", c[0]), ("test", c[0])])) },
                run: { a, m in
                    let ds = try dataset(a, 0), f = try a.number(1)
                    guard f > 0 && f < 1 else { throw RuntimeFailure(.badArgument(function: "split", "fraction must be between 0 and 1, got \(Value.format(f))")) }
                    let order = try a.bool(2) ? m.withRandom { $0.permutation(ds.count) } : Array(0..<ds.count)
                    let k = Int((Double(ds.count) * f).rounded())
                    return .record(Record([
                        ("train", .dataset(try ds.subset(Array(order[..<k]), source: ds.source))),
                        ("test", .dataset(try ds.subset(Array(order[k...]), source: ds.source))),
                    ]))
                }),
        Builtin("take", [.receiver("data", .dataset), .required("n", "int")], returns: "dataset", topic: .data,
                summary: "the first n rows", example: "data small = take(train, 100)",
                infer: { c in c[0] },
                run: { a, _ in
                    let ds = try dataset(a, 0), n = Swift.max(0, Swift.min(try a.int(1), ds.count))
                    return .dataset(try ds.subset(Array(0..<n), source: ds.source))
                }),
    ]

    static func dataset(_ a: Arguments, _ i: Int) throws -> DatasetObject {
        guard case let .dataset(d) = a[i] else { throw RuntimeFailure(a.mismatch(i, "a dataset")) }
        return d
    }

    /// The bytes of the file named by argument 0, through the session's file access.
    static func readFile(_ a: Arguments, _ m: Machine) throws -> (Data, String) {
        let given = try a.string(0)
        return (try m.files.contents(given, limit: m.budget.available), given)
    }

    /// A file reader builtin `name(path, dtype: none)`.
    static func reader(_ name: String, _ what: String, _ example: String,
                       _ parse: @escaping (Data, String, DType) throws -> DatasetObject) -> Builtin {
        Builtin(name, [.receiver("path", .string), .optional("dtype", "dtype", .none)], returns: "dataset", topic: .data,
                summary: "a dataset from \(what); numeric columns become tensors, text stays text", example: example,
                result: .dataset([:]),
                run: { a, m in
                    let (data, path) = try readFile(a, m)
                    return .dataset(try parse(data, path, try floatDType(a, 1, m)))
                })
    }
}
