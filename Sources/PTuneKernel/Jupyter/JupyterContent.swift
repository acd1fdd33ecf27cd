/// The message types the kernel reads.
enum JupyterRequest: String {
    case kernelInfo = "kernel_info_request"
    case execute = "execute_request"
    case complete = "complete_request"
    case inspect = "inspect_request"
    case isComplete = "is_complete_request"
    case history = "history_request"
    case commInfo = "comm_info_request"
    case shutdown = "shutdown_request"
    case interrupt = "interrupt_request"

    /// The type of the reply.
    var replyType: String { rawValue.replacingOccurrences(of: "_request", with: "_reply") }
}

/// `execute_request`.
struct ExecuteRequest: Decodable {
    var code: String
    var silent: Bool
    var storeHistory: Bool
    var stopOnError: Bool

    private enum CodingKeys: String, CodingKey {
        case code, silent
        case storeHistory = "store_history", stopOnError = "stop_on_error"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        silent = try c.decodeIfPresent(Bool.self, forKey: .silent) ?? false
        storeHistory = try c.decodeIfPresent(Bool.self, forKey: .storeHistory) ?? !silent
        stopOnError = try c.decodeIfPresent(Bool.self, forKey: .stopOnError) ?? true
    }
}

/// `complete_request` and `inspect_request`: code and a cursor (in code points).
struct CursorRequest: Decodable {
    var code: String
    var cursorPos: Int
    var detailLevel: Int?

    private enum CodingKeys: String, CodingKey {
        case code
        case cursorPos = "cursor_pos", detailLevel = "detail_level"
    }
}

/// `is_complete_request`.
struct CodeRequest: Decodable {
    var code: String
}

/// `shutdown_request`.
struct ShutdownRequest: Codable {
    var restart: Bool
}

/// An empty object, for `{}` fields.
struct EmptyObject: Codable {}

/// `status` on iopub.
struct StatusContent: Encodable {
    var executionState: String
    private enum CodingKeys: String, CodingKey { case executionState = "execution_state" }
}

/// `execute_input` on iopub.
struct ExecuteInputContent: Encodable {
    var code: String
    var executionCount: Int
    private enum CodingKeys: String, CodingKey { case code; case executionCount = "execution_count" }
}

/// `stream` on iopub.
struct StreamContent: Encodable {
    var name: String
    var text: String
}

/// `display_data`, `update_display_data` and `execute_result` on iopub.
struct DisplayContent: Encodable {
    /// `transient` of a display that later updates replace.
    struct Transient: Encodable {
        var displayID: String
        private enum CodingKeys: String, CodingKey { case displayID = "display_id" }
    }

    var data: MimeBundle
    var metadata = EmptyObject()
    var transient: Transient?
    var executionCount: Int?

    private enum CodingKeys: String, CodingKey {
        case data, metadata, transient
        case executionCount = "execution_count"
    }
}

/// `error` on iopub, and the error fields of a reply.
struct ErrorContent: Encodable {
    var ename: String
    var evalue: String
    var traceback: [String]
}

/// `execute_reply`.
struct ExecuteReply: Encodable {
    var status: String
    var executionCount: Int
    var ename: String?
    var evalue: String?
    var traceback: [String]?
    var userExpressions = EmptyObject()
    var payload: [EmptyObject] = []

    private enum CodingKeys: String, CodingKey {
        case status, ename, evalue, traceback, payload
        case executionCount = "execution_count", userExpressions = "user_expressions"
    }
}

/// `complete_reply`.
struct CompleteReply: Encodable {
    var status = "ok"
    var matches: [String]
    var cursorStart: Int
    var cursorEnd: Int
    var metadata = EmptyObject()

    private enum CodingKeys: String, CodingKey {
        case status, matches, metadata
        case cursorStart = "cursor_start", cursorEnd = "cursor_end"
    }
}

/// `inspect_reply`.
struct InspectReply: Encodable {
    var status = "ok"
    var found: Bool
    var data: MimeBundle?
    var metadata = EmptyObject()

    func encode(to encoder: Encoder) throws {
        enum Key: String, CodingKey { case status, found, data, metadata }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(status, forKey: .status)
        try c.encode(found, forKey: .found)
        // Jupyter expects `data` always, empty when nothing was found.
        if let data { try c.encode(data, forKey: .data) } else { try c.encode(EmptyObject(), forKey: .data) }
        try c.encode(metadata, forKey: .metadata)
    }
}

/// `is_complete_reply`.
struct IsCompleteReply: Encodable {
    var status: String
    var indent: String
}

/// `kernel_info_reply`.
struct KernelInfoReply: Encodable {
    struct LanguageInfo: Encodable {
        var name = "ptune"
        var version: String
        var mimetype = "text/x-ptune"
        var fileExtension = ".pt"
        var pygmentsLexer = "ptune"
        var codemirrorMode = "ptune"
        private enum CodingKeys: String, CodingKey {
            case name, version, mimetype
            case fileExtension = "file_extension", pygmentsLexer = "pygments_lexer", codemirrorMode = "codemirror_mode"
        }
    }

    struct HelpLink: Encodable {
        var text: String
        var url: String
    }

    var status = "ok"
    var protocolVersion = "5.3"
    var implementation = "ptune"
    var implementationVersion: String
    var languageInfo: LanguageInfo
    var banner: String
    var helpLinks: [HelpLink] = []
    var debugger = false

    private enum CodingKeys: String, CodingKey {
        case status, implementation, banner, debugger
        case protocolVersion = "protocol_version", implementationVersion = "implementation_version"
        case languageInfo = "language_info", helpLinks = "help_links"
    }
}

/// A reply that carries its status alone (`interrupt_reply`) or with a field or two.
struct StatusReply: Encodable {
    var status = "ok"
}

/// `comm_info_reply`.
struct CommInfoReply: Encodable {
    var status = "ok"
    var comms = EmptyObject()
}

/// `history_reply`.
struct HistoryReply: Encodable {
    var status = "ok"
    var history: [EmptyObject] = []
}

/// `shutdown_reply`.
struct ShutdownReply: Encodable {
    var status = "ok"
    var restart: Bool
}
