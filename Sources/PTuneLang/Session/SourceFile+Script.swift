import Foundation

extension SourceFile {
    /// The script at `path` with the text `bytes` (read from the file, or an editor's unsaved text of it): named by
    /// its file name, its relative paths resolving in its canonical folder (the parent folder's, for a file not
    /// saved yet; the working directory when neither exists).
    public static func script(at path: String, bytes: [UInt8]) -> SourceFile {
        let folder = FileAccess.canonical(path).map { ($0 as NSString).deletingLastPathComponent }
            ?? FileAccess.canonical((path as NSString).deletingLastPathComponent)
            ?? FileManager.default.currentDirectoryPath
        return SourceFile(name: (path as NSString).lastPathComponent, bytes: bytes, directory: folder)
    }
}
