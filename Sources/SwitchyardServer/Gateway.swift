import Foundation
import Logging
import Tracing
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting
import SwitchyardAccounts

/// Everything a request handler needs, built once at start-up from the configuration
/// (no per-request config parsing): the router, the executor, the transport, the limits.
struct Gateway: Sendable {
    let configuration: GatewayConfiguration
    let router: ModelRouter
    /// The `routers:` that pick an alias per request (`auto` → mini or preview); reloadable.
    let routers: RouterRegistry
    /// Recent router decisions, for `POST /v1/feedback`.
    let recentRoutes = RecentRoutes()
    /// Conversations that reached a learned router's strong tier (they stay there).
    let sessionTiers = SessionTiers()
    /// What keys have left of their credits or budget, for routers' budget pressure.
    let standings = KeyStandings()
    /// Counters and histograms behind `GET /metrics`.
    let metrics = GatewayMetrics()
    let executor: Executor
    let transport: any UpstreamTransport
    let accounting: Accounting
    /// Output tokens a reservation assumes when the request sets no `max_tokens`.
    let defaultReservedOutputTokens = 1024
    /// Deadline of a whole request, all attempts included.
    let requestTimeout: Duration
    let firstByteTimeout: Duration
    let logger: Logger
    /// The OpenTelemetry tracer when `tracing:` is on.
    var tracer: (any Tracer)?
    /// Upstream bytes all requests together hold in memory (`server.max_buffered_bytes`).
    let bufferBudget: BufferBudget
    /// Answers kept for `models[].cache`: in this process (bounded by `cache.max_bytes`), or in
    /// Redis with `storage.redis`, shared by the fleet.
    let responseCache: any ResponseCacheStore
    /// The semantic index of each alias with `cache.semantic` (in this process).
    let semanticCaches: [String: SemanticCache]
    /// What semantic lookups embed prompts with when no learned router already did: the bundled
    /// learned router's model (loaded only when an alias has a semantic cache).
    let embedder: LearnedRouterModel?
    /// Upper bound on an upstream error body read for classification.
    let maxErrorBodyBytes = 1024 * 1024

    /// `responseCache`: where `models[].cache` answers live (default: this process's memory).
    init(
        configuration: GatewayConfiguration, routers: RouterSet = RouterSet(), transport: any UpstreamTransport, accounting: Accounting, logger: Logger,
        responseCache: (any ResponseCacheStore)? = nil
    ) {
        self.configuration = configuration
        self.routers = RouterRegistry(configuration: configuration, routers: routers)
        self.transport = transport
        self.accounting = accounting
        self.logger = logger
        self.bufferBudget = BufferBudget(limit: configuration.server.maxBufferedBytes)
        var semanticCaches: [String: SemanticCache] = [:]
        for model in configuration.models {
            if let semantic = model.cache?.semantic { semanticCaches[model.name] = SemanticCache(maxEntries: semantic.maxEntries) }
        }
        self.semanticCaches = semanticCaches
        self.embedder = semanticCaches.isEmpty ? nil : try? LearnedRouterModel.bundled()
        self.responseCache = responseCache ?? MemoryResponseCache(maxBytes: configuration.cacheMaxBytes) { Date().timeIntervalSince1970 }
        let routing = configuration.routing
        self.requestTimeout = .nanoseconds(ServerSettings.nanoseconds(routing.timeoutSeconds))
        self.firstByteTimeout = .nanoseconds(ServerSettings.nanoseconds(routing.firstByteTimeoutSeconds))
        let health = DeploymentHealth(
            failureThreshold: routing.cooldownFailures, window: routing.cooldownWindowSeconds, cooldown: routing.cooldownSeconds)
        self.executor = Executor(maxAttempts: routing.retries + 1, health: health)
        self.router = ModelRouter(groups: Gateway.groups(configuration), health: health)
    }

    static func groups(_ configuration: GatewayConfiguration) -> [ModelGroup] {
        // One adapter per provider, shared by its deployments (and so one cached access token).
        let adapters = Dictionary(
            configuration.providers.compactMap { settings in ProviderRegistry.adapter(for: settings).map { (settings.name, $0) } },
            uniquingKeysWith: { first, _ in first })
        return configuration.models.map { model in
            let deployments = model.targets.enumerated().compactMap { index, target -> Deployment? in
                guard let settings = configuration.provider(named: target.provider), let adapter = adapters[settings.name] else { return nil }
                var deployment = Deployment(
                    alias: model.name, providerName: settings.name, upstreamModel: target.model, weight: target.weight, adapter: adapter,
                    index: index, price: configuration.price(of: target, in: model),
                    rpmLimit: target.rpm, tpmLimit: target.tpm)
                deployment.anthropicAutoCache = model.anthropicAutoCache
                return deployment
            }
            let strategy = RoutingStrategy(rawValue: model.strategy ?? configuration.routing.strategy) ?? .weighted
            var group = ModelGroup(
                name: model.name, deployments: deployments, price: model.price, contextWindow: configuration.contextWindow(of: model), fallbacks: model.fallbacks,
                contextWindowFallbacks: model.contextWindowFallbacks, contentPolicyFallbacks: model.contentPolicyFallbacks, strategy: strategy,
                hedging: model.hedge ? (model.hedgeAfterSeconds.map { .after(seconds: $0) } ?? .adaptive) : nil)
            group.allowUnpriced = model.allowUnpriced
            group.cache = model.cache
            group.promptCacheAffinity = model.promptCacheAffinity
            return group
        }
    }
}
