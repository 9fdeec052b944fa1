/// What routers look at in a request — defined identically in `tools/router/features.py`: the
/// text of every non-empty message (system included) joined by newlines, the system prompt on its
/// own, the number of user turns, and whether it carries tools, images or a response format.
public struct RequestFeatures: Sendable, Equatable {
    public var text: String
    public var system: String
    public var turns: Int
    public var hasTools: Bool
    public var hasImages: Bool
    public var hasResponseFormat: Bool
    /// The conversation's first user message: with `system`, what every turn of one
    /// conversation shares (routing keeps a conversation on its tier by it).
    public var opening: String

    public init(
        text: String, system: String = "", turns: Int = 1, hasTools: Bool = false, hasImages: Bool = false, hasResponseFormat: Bool = false,
        opening: String? = nil
    ) {
        self.opening = opening ?? text
        self.text = text
        self.system = system
        self.turns = turns
        self.hasTools = hasTools
        self.hasImages = hasImages
        self.hasResponseFormat = hasResponseFormat
    }

    /// The features of a canonical request.
    public init(_ request: ChatRequest) {
        let texts = (request.system + request.messages.map(\.text)).filter { !$0.isEmpty }
        self.init(
            text: texts.joined(separator: "\n"), system: request.system.joined(separator: "\n"),
            turns: request.messages.filter { $0.role == .user }.count, hasTools: !request.tools.isEmpty, hasImages: request.hasImages,
            hasResponseFormat: request.responseFormat != nil && request.responseFormat != .text,
            opening: request.messages.first { $0.role == .user }?.text ?? "")
    }
}
