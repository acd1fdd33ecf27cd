/// One result in the forms a front end may show: always plain text, and HTML or SVG where the result has them (a
/// tensor or table as an HTML table, a chart as SVG). Encoded as Jupyter's MIME bundles are:
/// `{"text/plain": "…", "text/html": "…"}`.
public struct MimeBundle: Codable, Equatable, Sendable {
    /// `text/plain`.
    public var plain: String
    /// `text/html`, if any.
    public var html: String?
    /// `image/svg+xml`, if any.
    public var svg: String?

    /// A bundle of `plain` text with optional HTML and SVG forms.
    public init(plain: String, html: String? = nil, svg: String? = nil) {
        self.plain = plain
        self.html = html
        self.svg = svg
    }

    private enum CodingKeys: String, CodingKey {
        case plain = "text/plain"
        case html = "text/html"
        case svg = "image/svg+xml"
    }
}
