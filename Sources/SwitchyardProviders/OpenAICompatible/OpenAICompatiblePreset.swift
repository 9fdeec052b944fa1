/// What distinguishes one OpenAI-compatible provider from another: data, not code.
public struct OpenAICompatiblePreset: Sendable {
    /// How the API key travels.
    public enum Auth: Sendable { case bearer, apiKeyHeader(String) }
    /// How the provider restricts tool-call ids in requests.
    public enum ToolCallIDRule: Sendable { case any, alphanumeric9 }

    public let name: String
    public let defaultBaseURL: String?
    public let auth: Auth
    public let requiresAPIKey: Bool
    public let toolCallIDRule: ToolCallIDRule
    public let streamUsage: OpenAIStreamUsageLocation
    /// How request URLs are formed.
    public let endpoints: EndpointStyle
    /// Whether the provider serves OpenAI's Responses API (`POST /responses`) by default.
    public let responsesAPI: Bool

    /// How a provider lays out its URLs.
    public enum EndpointStyle: Sendable, Equatable {
        /// `{base_url}/chat/completions`, `{base_url}/embeddings`, `{base_url}/models`.
        case standard
        /// Azure OpenAI: `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…`.
        case azure
    }

    public init(
        name: String, defaultBaseURL: String?, auth: Auth = .bearer, requiresAPIKey: Bool = true,
        toolCallIDRule: ToolCallIDRule = .any, streamUsage: OpenAIStreamUsageLocation = .topLevel, endpoints: EndpointStyle = .standard,
        responsesAPI: Bool = false
    ) {
        self.endpoints = endpoints
        self.responsesAPI = responsesAPI
        self.name = name
        self.defaultBaseURL = defaultBaseURL
        self.auth = auth
        self.requiresAPIKey = requiresAPIKey
        self.toolCallIDRule = toolCallIDRule
        self.streamUsage = streamUsage
    }
}

extension OpenAICompatiblePreset {
    /// Every provider type that speaks OpenAI's chat completions API, by config `type`.
    public static let all: [String: OpenAICompatiblePreset] = {
        let presets: [OpenAICompatiblePreset] = [
            .init(name: "openai", defaultBaseURL: "https://api.openai.com/v1", responsesAPI: true),
            .init(name: "openai-compatible", defaultBaseURL: nil, requiresAPIKey: false),
            .init(name: "groq", defaultBaseURL: "https://api.groq.com/openai/v1", streamUsage: .groq),
            .init(name: "mistral", defaultBaseURL: "https://api.mistral.ai/v1", toolCallIDRule: .alphanumeric9),
            .init(name: "deepseek", defaultBaseURL: "https://api.deepseek.com/v1"),
            .init(name: "together", defaultBaseURL: "https://api.together.xyz/v1"),
            .init(name: "fireworks", defaultBaseURL: "https://api.fireworks.ai/inference/v1"),
            .init(name: "xai", defaultBaseURL: "https://api.x.ai/v1"),
            .init(name: "openrouter", defaultBaseURL: "https://openrouter.ai/api/v1"),
            .init(name: "perplexity", defaultBaseURL: "https://api.perplexity.ai"),
            .init(name: "cerebras", defaultBaseURL: "https://api.cerebras.ai/v1"),
            .init(name: "ollama", defaultBaseURL: "http://127.0.0.1:11434/v1", requiresAPIKey: false),
            .init(name: "vllm", defaultBaseURL: "http://127.0.0.1:8000/v1", requiresAPIKey: false),
            .init(name: "llamacpp", defaultBaseURL: "http://127.0.0.1:8080/v1", requiresAPIKey: false),
            .init(name: "lmstudio", defaultBaseURL: "http://127.0.0.1:1234/v1", requiresAPIKey: false),
            .init(name: "azure", defaultBaseURL: nil, auth: .apiKeyHeader("api-key"), endpoints: .azure),
        ]
        return Dictionary(uniqueKeysWithValues: presets.map { ($0.name, $0) })
    }()
}
