/// How a loaded model keeps its weight matrices.
public enum WeightStorage: String, Sendable, CaseIterable, CustomStringConvertible {
    /// As the file stores them: quantized blocks stay blocks (read by their own kernels), F16 and BF16 matrices stay
    /// 16-bit, F32 stays F32. A SmolLM2-135M Q4_1 file keeps 98 MB of weights instead of 538 MB.
    case stored
    /// Every weight decoded to float32 once, at load: the same values, four bytes each.
    case float32

    /// `stored` or `float32`, as scripts write it (`load(…, dtype: "float32")`).
    public var description: String { rawValue }

    /// The storage a script's `dtype:` names (`"float32"`, `"stored"`), or nil.
    public init?(dtypeName: String) { self.init(rawValue: dtypeName) }
}
