public import SwitchyardCore

/// A validated OpenAI `CreateEmbeddingRequest` body.
public struct OpenAIEmbeddingsRequestBody: Sendable {
    public let scanner: JSONScanner
    public let root: JSONSpan
    public let model: String
    /// Bytes of `input`, for a token estimate when the upstream reports no usage.
    public let inputByteCount: Int

    public init(bytes: [UInt8]) throws(GatewayError) {
        let (scanner, root) = try JSONScanner.requestObject(bytes)
        guard let modelSpan = scanner.member("model", of: root)?.value else {
            throw .invalidRequest("You must provide a model parameter.", param: "model")
        }
        guard let model = scanner.string(modelSpan), !model.isEmpty else {
            throw .invalidRequest("'model' must be a non-empty string.", param: "model")
        }
        guard let input = scanner.member("input", of: root)?.value else {
            throw .invalidRequest("Missing required parameter: 'input'.", param: "input")
        }
        switch input.kind {
        case .string:
            break
        case .array where !scanner.elements(of: input).isEmpty:
            break
        default:
            throw .invalidRequest("'input' must be a string or a non-empty array of strings or token arrays.", param: "input")
        }
        self.scanner = scanner
        self.root = root
        self.model = model
        self.inputByteCount = input.range.count
    }
}
