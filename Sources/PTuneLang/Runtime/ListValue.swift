import PTuneCore

/// The items of a list value: immutable, shared by reference, with what walking and holding it costs known up
/// front — its nesting depth (a list of lists of numbers has depth 2) and the bytes it is charged to the session's
/// memory budget (its own slots and the text of the strings it holds directly; nested lists and records charge
/// themselves). Releasing a list nested a million deep takes it apart iteratively, not by recursion.
public final class ListValue: RandomAccessCollection, @unchecked Sendable {
    /// The items.
    public private(set) var items: [Value]
    /// 1 + the depth of the most deeply nested list or record among the items.
    public let depth: Int
    /// The bytes charged to ``budget`` for this list.
    let charged: Int
    let budget: MemoryBudget?

    /// A list of `items`, charged to the memory budget in effect without a check (small lists the runtime makes;
    /// lists that grow with a script's input come from ``make(_:)``).
    public convenience init(_ items: [Value]) {
        let (depth, bytes) = ListValue.measure(items)
        self.init(items, depth: depth, bytes: bytes, budget: TensorContext.budget)
        budget?.charge(unchecked: bytes)
    }

    private init(_ items: [Value], depth: Int, bytes: Int, budget: MemoryBudget?) {
        self.items = items
        self.depth = depth
        self.charged = bytes
        self.budget = budget
    }

    /// A list of `items`, or a memory-limit error naming it when it does not fit the budget in effect.
    public static func make(_ items: [Value]) throws -> ListValue {
        let (depth, bytes) = measure(items)
        let budget = TensorContext.budget
        try budget?.charge(bytes, for: "a list of \(items.count) items")
        return ListValue(items, depth: depth, bytes: bytes, budget: budget)
    }

    /// The bytes a list of `count` items takes at least (for checks before making one).
    public static func bytes(count: Int) -> Int {
        let (b, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Value>.stride)
        return overflow ? .max : b &+ 64
    }

    /// The nesting depth and the charged bytes of a list of `items`.
    static func measure(_ items: [Value]) -> (depth: Int, bytes: Int) {
        var deepest = 0
        var bytes = bytes(count: items.count)
        for v in items {
            switch v {
            case let .list(l): deepest = Swift.max(deepest, l.depth)
            case let .record(r): deepest = Swift.max(deepest, r.depth)
            case let .string(s): bytes &+= s.utf8.count
            case .none, .number, .bool, .tensor, .param, .range, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                break
            }
        }
        return (deepest + 1, bytes)
    }

    deinit {
        budget?.release(charged: charged)
        guard depth > 1 else { return }
        var work = ValueTeardown()
        work.take(&items)
        work.run()
    }

    /// Moves the items out (for an iterative teardown).
    func takeItems() -> [Value] {
        defer { items = [] }
        return items
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { items.count }
    public subscript(i: Int) -> Value { items[i] }
}

/// Takes nested lists and records apart one at a time, so releasing a structure nested a million deep needs no
/// deep recursion: containers only this teardown holds are emptied before they are released.
struct ValueTeardown {
    private var lists: [ListValue] = []
    private var records: [Record] = []

    /// Queues the containers among `values` and empties it.
    mutating func take(_ values: inout [Value]) {
        for v in values {
            switch v {
            case let .list(l) where l.depth > 1: lists.append(l)
            case let .record(r) where r.depth > 1: records.append(r)
            case .none, .number, .bool, .string, .tensor, .param, .list, .range, .record, .function, .builtin, .model,
                 .encoder, .dataset, .optimizer, .schedule:
                break
            }
        }
        values = []
    }

    /// Empties every queued container that nothing else holds, and what it held, until none is left.
    mutating func run() {
        while true {
            if var l = lists.popLast() {
                if isKnownUniquelyReferenced(&l) { var items = l.takeItems(); take(&items) }
            } else if var r = records.popLast() {
                if isKnownUniquelyReferenced(&r) { var values = r.takeValues(); take(&values) }
            } else {
                return
            }
        }
    }
}
