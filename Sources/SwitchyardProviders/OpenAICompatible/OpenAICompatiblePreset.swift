/// What distinguishes one OpenAI-compatible provider from another: data, not code.
public struct OpenAICompatiblePreset: Sendable {
    /// How the API key travels.
    public enum Auth: Sendable { case bearer, apiKeyHeader(String) }
    /// How the provider restricts tool-call ids in requests.
    public enum ToolCallIDRule: Sendable, Equatable { case any, alphanumeric9 }

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
    /// How the provider departs from OpenAI's request format.
    public let quirks: Quirks
    /// What a base URL looks like, for the error when one is required and missing.
    public let note: String?

    /// Request edits a provider needs, as data.
    public struct Quirks: Sendable, Equatable {
        /// Sends `max_tokens` for `max_completion_tokens` (providers that know only the older field).
        public var maxTokensOnly = false
        /// Clamps `temperature` to this (Moonshot and Zhipu accept 0…1, OpenAI 0…2).
        public var maxTemperature: Double?
        public init(maxTokensOnly: Bool = false, maxTemperature: Double? = nil) {
            self.maxTokensOnly = maxTokensOnly
            self.maxTemperature = maxTemperature
        }
        public var isEmpty: Bool { self == Quirks() }
    }

    /// How a provider lays out its URLs.
    public enum EndpointStyle: Sendable, Equatable {
        /// `{base_url}/chat/completions`, `{base_url}/embeddings`, `{base_url}/models`.
        case standard
        /// Azure OpenAI: `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…`.
        case azure
        /// Azure AI Foundry model inference: `{endpoint}/chat/completions?api-version=…`, the model in the body.
        case azureFoundry
    }

    public init(
        name: String, defaultBaseURL: String?, auth: Auth = .bearer, requiresAPIKey: Bool = true,
        toolCallIDRule: ToolCallIDRule = .any, streamUsage: OpenAIStreamUsageLocation = .topLevel, endpoints: EndpointStyle = .standard,
        responsesAPI: Bool = false, quirks: Quirks = Quirks(), note: String? = nil
    ) {
        self.quirks = quirks
        self.note = note
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
            .init(name: "mistral", defaultBaseURL: "https://api.mistral.ai/v1", toolCallIDRule: .alphanumeric9, quirks: .init(maxTokensOnly: true)),
            .init(name: "deepseek", defaultBaseURL: "https://api.deepseek.com/v1", quirks: .init(maxTokensOnly: true)),
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
            .init(name: "azure", defaultBaseURL: nil, auth: .apiKeyHeader("api-key"), endpoints: .azure, note: "https://NAME.openai.azure.com"),
            .init(
                name: "azure-foundry", defaultBaseURL: nil, auth: .apiKeyHeader("api-key"), endpoints: .azureFoundry,
                note: "https://NAME.services.ai.azure.com/models"),
            .init(name: "deepinfra", defaultBaseURL: "https://api.deepinfra.com/v1/openai"),
            .init(name: "nebius", defaultBaseURL: "https://api.studio.nebius.com/v1"),
            .init(name: "sambanova", defaultBaseURL: "https://api.sambanova.ai/v1"),
            .init(name: "hyperbolic", defaultBaseURL: "https://api.hyperbolic.xyz/v1"),
            .init(name: "novita", defaultBaseURL: "https://api.novita.ai/v3/openai"),
            .init(name: "moonshot", defaultBaseURL: "https://api.moonshot.ai/v1", quirks: .init(maxTokensOnly: true, maxTemperature: 1)),
            .init(name: "zhipu", defaultBaseURL: "https://api.z.ai/api/paas/v4", quirks: .init(maxTokensOnly: true, maxTemperature: 1)),
            .init(name: "dashscope", defaultBaseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"),
            .init(name: "huggingface", defaultBaseURL: "https://router.huggingface.co/v1"),
            .init(name: "nvidia", defaultBaseURL: "https://integrate.api.nvidia.com/v1"),
            .init(name: "github", defaultBaseURL: "https://models.github.ai/inference"),
            .init(
                name: "cloudflare", defaultBaseURL: nil, quirks: .init(maxTokensOnly: true),
                note: "https://api.cloudflare.com/client/v4/accounts/ACCOUNT_ID/ai/v1"),
            .init(name: "jina", defaultBaseURL: "https://api.jina.ai/v1"),
            .init(name: "voyage", defaultBaseURL: "https://api.voyageai.com/v1"),
            .init(name: "lambda", defaultBaseURL: "https://api.lambda.ai/v1"),
            .init(name: "siliconflow", defaultBaseURL: "https://api.siliconflow.com/v1"),
        ]
        return Dictionary(uniqueKeysWithValues: presets.map { ($0.name, $0) })
    }()
}
