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
    /// Prices, context windows and capabilities of known models: the shipped catalog merged
    /// with `<storage.data_dir>/catalog.json`.
    public var catalog = ModelCatalog.shipped
    /// Bytes the in-memory response cache may hold (`cache.max_bytes`), over every alias.
    public var cacheMaxBytes = 256 * 1024 * 1024

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

    /// The catalog's entry for a target's model at its provider's type.
    public func catalogEntry(of target: TargetSettings) -> ModelCatalog.Entry? {
        provider(named: target.provider).flatMap { catalog.entry(providerType: $0.type, model: target.model) }
    }

    /// What a target is metered at: its own `price:`, else its alias's, else the catalog's;
    /// nil when none has one (the target is unpriced).
    public func price(of target: TargetSettings, in model: ModelSettings) -> Price? {
        target.price ?? model.price ?? catalogEntry(of: target)?.price
    }

    /// An alias's context window: configured, else the smallest its targets' catalog entries name.
    public func contextWindow(of model: ModelSettings) -> Int? {
        model.contextWindow ?? model.targets.compactMap { catalogEntry(of: $0)?.contextWindow }.min()
    }

    /// Whether an alias takes `capability` (`vision`, `tools`): configured under `supports:`,
    /// else true unless a target's catalog entry shows it does not.
    public func supports(_ capability: String, model: ModelSettings) -> Bool {
        if let configured = model.supports[capability] { return configured }
        return model.targets.allSatisfy { target in catalogEntry(of: target).map { $0.kind != "chat" || $0.supports(capability) } ?? true }
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
    /// How long a client has to send a request's headers (on a new connection, or after the
    /// previous response on a kept-alive one) before the connection is closed (slowloris).
    public var headerTimeoutSeconds: Double = 30
    /// How long a kept-alive connection may sit idle between requests.
    public var idleTimeoutSeconds: Double = 75
    /// Open client connections at most; connections beyond are closed at once.
    public var maxConnections: Int = 4096
    /// The largest non-streaming upstream response one request may buffer (502 above it).
    public var maxResponseBytes: Int = 16 * 1024 * 1024
    /// Upstream response bytes all requests together may buffer at once (503 above it).
    public var maxBufferedBytes: Int = 256 * 1024 * 1024
    /// Serves the dashboard at `/ui`.
    public var ui = true
    /// How long a dashboard sign-in lasts.
    public var uiSessionHours: Double = 8

    /// Configured seconds as nanoseconds, clamped to 0…10⁷ s (NaN is 0): no setting traps.
    public static func nanoseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int64(min(seconds, 10_000_000) * 1e9)
    }

    public init() {}
}

/// `storage:` — where state lives.
public struct StorageSettings: Sendable {
    /// `sqlite://PATH` (embedded, default) or `postgres://user:password@host:port/database`.
    public var url: String = "sqlite://switchyard.db"
    /// Where the gateway keeps files of its own (`catalog.json` from `switchyard catalog update`).
    public var dataDirectory: String = "."
    /// Shared hot state of a fleet (limits, reservations, key-change events); nil: in process.
    public var redisURL: String?
    /// With Redis unreachable: false refuses limited keys with 503; true admits them under
    /// per-replica limits.
    public var redisFailOpen = false
    /// How long a replica's reservation outlives its last renewal in Redis (a dead replica's
    /// holds return to their keys after this).
    public var redisLeaseSeconds = 30.0
    /// Days raw ledger rows are kept (0: forever); rollups keep the totals.
    public var ledgerRetentionDays = 0
    /// The directory of the ledger's write-ahead journal (crash safety of served requests'
    /// rows); nil: `<sqlite file>.journal` beside a file store; "" turns it off.
    public var ledgerJournal: String?
    /// How often the journal's thread makes new rows durable with `fdatasync` (ms): the window a
    /// power loss can take; a crash of the process alone loses nothing.
    public var ledgerJournalSyncMilliseconds = 10
    /// How often queued ledger rows are written to the store (ms): how fresh usage, logs and
    /// other replicas' view of spend are, against the p99 the store's commits cost.
    public var ledgerFlushMilliseconds = 200
    /// How long Responses API answers stored with `store: true` are kept (days).
    public var responsesRetentionDays = 30.0

    /// `responsesRetentionDays` in whole seconds (at least one).
    public var responsesRetentionSeconds: Int64 {
        let seconds = responsesRetentionDays * 86_400
        return seconds.isFinite && seconds >= 1 ? Int64(min(seconds, 1e15)) : 1
    }

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
    /// Bedrock: the AWS region, and SigV4 credentials (or `api_key` for a Bedrock API key);
    /// Vertex AI: the Google Cloud region (`us-east5`, `global`).
    public var region: String?
    /// Vertex AI: the Google Cloud project, and the service-account key file (JSON) whose
    /// OAuth2 access tokens authenticate requests.
    public var project: String?
    public var credentialsFile: String?
    public var accessKeyID: String?
    public var secretAccessKey: Secret?
    public var sessionToken: Secret?
    /// Whether the provider serves OpenAI's Responses API (`responses_api`; default: its preset's,
    /// true for `openai`), so `/v1/responses` bodies pass through instead of being translated.
    public var responsesAPI: Bool?
    /// How the provider's certificate is verified over HTTPS.
    public var tls = TLSSettings()

    public init(name: String, type: String, baseURL: String? = nil, apiKey: Secret? = nil, headers: [String: String] = [:]) {
        self.name = name
        self.type = type
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.headers = headers
    }
}

/// `providers.<name>.tls:` — trust for a provider reached over HTTPS (a corporate proxy's CA, a
/// self-hosted server's own CA). The system's trust store is used when nothing is set.
public struct TLSSettings: Sendable {
    /// A PEM file of the CA certificates to trust (instead of the system's).
    public var caFile: String?
    /// Accept any certificate (testing only: it gives up the protection TLS exists for).
    public var insecureSkipVerify = false

    public init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }

    /// Whether anything differs from the system defaults.
    public var isCustom: Bool { caFile != nil || insecureSkipVerify }
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
    /// Whether the alias takes images and tools (`supports: {vision, tools}`; routers send such
    /// requests elsewhere when not). Unset: from the catalog (`GatewayConfiguration.supports`).
    public var supports: [String: Bool] = [:]
    /// Requests sharing a prompt prefix of 1,024 tokens or more keep to one deployment while it
    /// is healthy, so its provider's prompt cache keeps hitting.
    public var promptCacheAffinity = true
    /// Put `cache_control` breakpoints on the system prompt and tools of requests to Anthropic-format
    /// deployments that set none.
    public var anthropicAutoCache = false
    /// The response cache for this alias (`cache:`); nil: not cached.
    public var cache: CacheSettings?
    /// Serve keys with credits or budgets from targets of unknown price (metered at $0, marked
    /// unpriced); otherwise such keys get 402 `unpriced_model`.
    public var allowUnpriced = false

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

/// `models[].cache:` — answers already paid for, served again.
public struct CacheSettings: Sendable, Equatable {
    /// Who may be served an answer another request paid for.
    public enum Scope: String, Sendable, Equatable {
        /// The same virtual key only (a tenant never sees another's answers).
        case key
        /// Keys with the same `team` metadata.
        case team
        /// Everyone.
        case global
    }

    public var ttlSeconds: Double = 3600
    public var scope = Scope.key
    /// Answers larger than this are not stored.
    public var maxEntryBytes = 1024 * 1024
    /// Also cache requests whose temperature is above 0 (or unset, where providers default above 0).
    public var nondeterministic = false
    /// Charge a hit the full price (default: a hit costs nothing).
    public var charge = false
    /// Also serve the answer of the most similar stored prompt (`semantic: {threshold}`).
    public var semantic: SemanticCacheSettings?

    public init() {}
}

/// `models[].cache.semantic:` — answers of similar prompts, by the learned router's embedding.
public struct SemanticCacheSettings: Sendable, Equatable {
    /// The least cosine similarity between prompts that counts as the same question.
    public var threshold = 0.97
    /// Prompts the index keeps (the oldest go first).
    public var maxEntries = 50_000
    /// Also prompts with several turns or tools (default: single-turn prompts without tools).
    public var anyPrompt = false

    public init() {}
}
