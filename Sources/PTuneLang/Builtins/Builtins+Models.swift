extension BuiltinRegistry {
    /// Pretrained models and tokenizers (PTuneModels): `load("smollm2-135m")`, `generate(…)`, `tokenize(…)`.
    /// Each entry documents itself like every other builtin; `ptune`'s `:help models` lists them.
    static let modelBuiltins: [Builtin] = []
}
