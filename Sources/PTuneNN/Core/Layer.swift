import PTuneCore

/// A differentiable building block: a callable with named parameters.
///
/// Containers name their children's parameters with dotted prefixes, so ``parameters`` of a whole model lists every
/// weight under a stable path (`blocks.0.attn.qkv.weight`), the keys of ``stateDict()`` and of saved files.
public protocol Layer: AnyObject {
    /// Every parameter of this layer and its children, in a fixed order (frozen ones included).
    var parameters: [Parameter] { get }
    /// Applies the layer.
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

extension Layer {
    /// The number of scalars in all parameters.
    public var parameterCount: Int { parameters.parameterCount }
    /// The number of scalars in trainable parameters.
    public var trainableParameterCount: Int { parameters.trainableParameterCount }
    /// Freezes every parameter (no gradients are computed for them, optimizers refuse them).
    public func freeze() { parameters.freezeAll() }
    /// Makes every parameter trainable.
    public func unfreeze() { parameters.unfreezeAll() }
    /// The values of every parameter by name (a snapshot: later updates do not change it).
    public func stateDict() -> [String: Tensor] { parameters.stateDict() }
    /// Loads parameter values by name (see ``Swift/Array/load(_:strict:)``).
    public func load(_ state: [String: Tensor], strict: Bool = true) throws { try parameters.load(state, strict: strict) }
}

extension Array where Element == Parameter {
    /// The number of scalars in all parameters.
    public var parameterCount: Int { reduce(0) { $0 + $1.count } }
    /// The number of scalars in trainable parameters.
    public var trainableParameterCount: Int { reduce(0) { $0 + ($1.isFrozen ? 0 : $1.count) } }
    /// The parameters that are not frozen.
    public var trainable: [Parameter] { filter { !$0.isFrozen } }
    /// Freezes every parameter.
    public func freezeAll() { for p in self { p.freeze() } }
    /// Unfreezes every parameter.
    public func unfreezeAll() { for p in self { p.unfreeze() } }

    /// The values of every parameter by name.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for p in self { out[p.name] = p.value.detached() }
        return out
    }

    /// Assigns `state[name]` to each parameter (converted to its dtype, keeping trainability). With `strict`, every
    /// parameter must have a value and every value a parameter; otherwise missing ones are left as they are.
    public func load(_ state: [String: Tensor], strict: Bool = true) throws {
        var used = Set<String>()
        for p in self {
            guard let v = state[p.name] else {
                if strict { throw NNError.missingWeight(p.name) }
                continue
            }
            try p.assign(v)
            used.insert(p.name)
        }
        if strict, let extra = state.keys.sorted().first(where: { !used.contains($0) }) {
            throw NNError.unexpectedWeight(extra)
        }
    }
}

/// Naming helpers for containers.
enum Naming {
    /// Prefixes every parameter of `child` with `prefix.` (containers call this once, in their initializer).
    static func adopt(_ parameters: [Parameter], as prefix: String) {
        for p in parameters { p.rename(prefix + "." + p.name) }
    }
}
