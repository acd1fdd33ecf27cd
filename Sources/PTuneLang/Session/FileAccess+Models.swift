import PTuneModels

/// The script's file access is the check every model load goes through: the weights, and every file a model
/// folder names (configuration, vocabulary, tokenizer, shards, index), inside the allowed folders after symlinks.
extension FileAccess: ModelFileAccess {
    /// The canonical path of `path` if a script may read it, or the failure a script reports.
    public func readablePath(_ path: String) throws -> String {
        do { return try resolve(path, relativeTo: nil, forWriting: false) } catch { throw RuntimeFailure(error) }
    }
}
