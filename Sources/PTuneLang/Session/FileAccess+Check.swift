import PTuneCore

/// The script's file access is the one check every file a script causes to be opened or written goes through:
/// model weights and every file a model folder names, PEFT adapter folders and their files, imports, data files,
/// checkpoints, `save`/`load`, training logs, plots and written text — inside the allowed folders after symlinks.
/// Relative paths start at the working directory; ``relative(to:)`` gives the check as a script in a folder sees it.
extension FileAccess: FileAccessCheck {
    /// The canonical path of `path` if a script may read it, or the failure a script reports.
    public func readablePath(_ path: String) throws -> String {
        try relative(to: nil).readablePath(path)
    }

    /// The canonical path of `path` if a script may create or replace it, or the failure a script reports.
    public func writablePath(_ path: String) throws -> String {
        try relative(to: nil).writablePath(path)
    }

    /// The check with relative paths starting at `directory` (nil: the working directory).
    public func relative(to directory: String?) -> RelativeFileAccess {
        RelativeFileAccess(access: self, directory: directory)
    }
}

/// A script's file access with relative paths resolved against its folder.
public struct RelativeFileAccess: FileAccessCheck {
    /// The allowed folders.
    public let access: FileAccess
    /// Where relative paths start (nil: the working directory).
    public let directory: String?

    /// The canonical path of `path` if a script may read it, or the failure a script reports.
    public func readablePath(_ path: String) throws -> String {
        let resolved: String
        do { resolved = try access.resolve(path, relativeTo: directory, forWriting: false) } catch { throw RuntimeFailure(error) }
        access.readLog?.note(resolved)
        return resolved
    }

    /// The canonical path of `path` if a script may create or replace it, or the failure a script reports.
    public func writablePath(_ path: String) throws -> String {
        do { return try access.resolve(path, relativeTo: directory, forWriting: true) } catch { throw RuntimeFailure(error) }
    }
}
