/// The requests the server answers.
enum RequestMethod: String, CaseIterable {
    case initialize
    case shutdown
    case completion = "textDocument/completion"
    case resolveCompletion = "completionItem/resolve"
    case hover = "textDocument/hover"
    case definition = "textDocument/definition"
    case documentSymbol = "textDocument/documentSymbol"
}

/// The notifications the server acts on (any other is ignored, as the protocol asks).
enum NotificationMethod: String, CaseIterable {
    case initialized
    case exit
    case didOpen = "textDocument/didOpen"
    case didChange = "textDocument/didChange"
    case didClose = "textDocument/didClose"
    case didSave = "textDocument/didSave"
    case didChangeWatchedFiles = "workspace/didChangeWatchedFiles"
    case cancelRequest = "$/cancelRequest"
}

/// The notifications the server sends.
enum ServerNotification: String {
    case publishDiagnostics = "textDocument/publishDiagnostics"
    case logMessage = "window/logMessage"
}
