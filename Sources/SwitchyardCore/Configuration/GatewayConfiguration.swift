/// The whole gateway configuration (`switchyard.yaml`, DESIGN §3) as a plain value with defaults.
///
/// Parsing and validation live in SwitchyardServer (`ConfigurationLoader`); everything here is
/// already resolved: environment interpolated, defaults applied, references checked.
public struct GatewayConfiguration: Sendable {
    public var server: ServerSettings
    public var storage: StorageSettings
    public var providers: [ProviderSettings]
    public var models: [ModelSettings]
    public var routers: [RouterSettings] = []
    public var routing: RoutingSettings
    public var tracing = TracingSettings()

    public init(
        server: ServerSettings = ServerSettings(),
        storage: StorageSettings = StorageSettings(),
        providers: [ProviderSettings] = [],
        models: [ModelSettings] = [],
        routing: RoutingSettings = RoutingSettings()
    ) {
        self.server = server
        self.storage = storage
        self.providers = providers
        self.models = models
        self.routing = routing
    }

    public func provider(named name: String) -> ProviderSettings? {
        providers.first { $0.name == name }
    }

    public func model(named name: String) -> ModelSettings? {
        models.first { $0.name == name }
    }
}

/// `server:` — where and how the gateway listens.
public struct ServerSettings: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var masterKey: Secret?
    public var requireKeys: Bool = true
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// How long SIGTERM waits for in-flight requests and streams before closing them.
    public var shutdownGraceSeconds: Double = 30

    public init() {}
}

/// `storage:` — where state lives.
public struct StorageSettings: Sendable {
    public var url: String = "sqlite://switchyard.db"
    public var redisURL: String?

    public init() {}
}

/// `providers.<name>:` — one upstream account.
public struct ProviderSettings: Sendable {
    public var name: String
    /// `openai`, `openai-compatible`, or a preset name such as `groq`.
    public var type: String
    public var baseURL: String?
    public var apiKey: Secret?
    /// Extra headers sent upstream with every request (e.g. an organisation id).
    public var headers: [String: String]
    /// Azure `api-version`, Anthropic `anthropic-version`, or Gemini's API version (`v1beta`).
    public var apiVersion: String?
    /// Bedrock: the AWS region, and SigV4 credentials (or `api_key` for a Bedrock API key).
    public var region: String?
    public var accessKeyID: String?
    public var secretAccessKey: Secret?
    public var sessionToken: Secret?

    public init(name: String, type: String, baseURL: String? = nil, apiKey: Secret? = nil, headers: [String: String] = [:]) {
        self.name = name
        self.type = type
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.headers = headers
    }
}

/// `models[]` — a name clients send and the deployments that serve it.
public struct ModelSettings: Sendable {
    public var name: String
    public var targets: [TargetSettings]
    public var price: Price?
    public var contextWindow: Int?
    public var fallbacks: [String]
    /// Aliases tried instead when the prompt does not fit this one's context window.
    public var contextWindowFallbacks: [String] = []
    /// Aliases tried instead when a content filter rejects the request.
    public var contentPolicyFallbacks: [String] = []
    /// Overrides `routing.strategy` for this alias.
    public var strategy: String?
    /// Send a second attempt to another deployment when the first is slow to start.
    public var hedge = false
    /// Start the hedge after this long; default: the alias's recent p95 time to first byte.
    public var hedgeAfterSeconds: Double?
    /// Whether the alias takes images and tools (routers send such requests elsewhere when not).
    public var supportsVision = true
    public var supportsTools = true

    public init(name: String, targets: [TargetSettings], price: Price? = nil, contextWindow: Int? = nil, fallbacks: [String] = []) {
        self.name = name
        self.targets = targets
        self.price = price
        self.contextWindow = contextWindow
        self.fallbacks = fallbacks
    }
}

/// One deployment of a model: a provider and the model name that provider knows.
public struct TargetSettings: Sendable {
    public var provider: String
    public var model: String
    public var weight: Double
    /// This deployment's own price, when it differs from the alias's.
    public var price: Price?
    /// Requests and tokens per minute this deployment allows (for the `usage` strategy).
    public var rpm: Int?
    public var tpm: Int?

    public init(provider: String, model: String, weight: Double = 1) {
        self.provider = provider
        self.model = model
        self.weight = weight
    }
}

/// `routing:` — global routing defaults.
public struct RoutingSettings: Sendable {
    public var strategy: String = "weighted"
    public var retries: Int = 2
    public var timeoutSeconds: Double = 120
    /// Seconds a stream may take to send its first byte before the attempt fails over.
    public var firstByteTimeoutSeconds: Double = 60
    /// Failures within `cooldownWindowSeconds` that open a deployment's breaker.
    public var cooldownFailures: Int = 3
    /// How long an opened breaker keeps the deployment out before a probe request.
    public var cooldownSeconds: Double = 30
    public var cooldownWindowSeconds: Double = 60
    /// Interval of active health probes; 0 turns them off.
    public var healthProbeSeconds: Double = 0

    public init() {}
}

/// `tracing:` — OpenTelemetry traces over OTLP/HTTP; off unless `otlp_endpoint` is set.
public struct TracingSettings: Sendable {
    /// The collector's OTLP/HTTP base URL (`http://127.0.0.1:4318`); spans go to `<endpoint>/v1/traces`.
    public var otlpEndpoint: String?
    /// `http/protobuf` (the default) or `http/json`.
    public var otlpProtocol: String = "http/protobuf"
    public var serviceName: String = "switchyard"
    /// Share of new traces recorded (a caller's sampled `traceparent` is always followed).
    public var sampleRatio: Double = 1.0
    /// Extra headers sent to the collector (e.g. an API key).
    public var headers: [String: Secret] = [:]

    public init() {}

    public var isEnabled: Bool { otlpEndpoint != nil }
}
