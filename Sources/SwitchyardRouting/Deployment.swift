public import SwitchyardCore
public import SwitchyardProviders

/// One place a model is served: a provider's adapter and the model name it knows.
public struct Deployment: Sendable {
    /// The alias (config `models[].name`) this deployment belongs to.
    public let alias: String
    public let providerName: String
    public let upstreamModel: String
    public let weight: Double
    public let adapter: any ProviderAdapter
    /// Stable identity for health tracking: `alias/provider/model#index`.
    public let id: String
    /// This deployment's price (the target's, else the alias's), for the `cost` strategy and metering.
    public let price: Price?
    public let rpmLimit: Int?
    public let tpmLimit: Int?
    /// Add Anthropic prompt-cache breakpoints when the client set none (`models[].anthropic_auto_cache`).
    public var anthropicAutoCache = false

    public init(
        alias: String, providerName: String, upstreamModel: String, weight: Double, adapter: any ProviderAdapter,
        index: Int = 0, price: Price? = nil, rpmLimit: Int? = nil, tpmLimit: Int? = nil
    ) {
        self.alias = alias
        self.providerName = providerName
        self.upstreamModel = upstreamModel
        self.weight = weight
        self.adapter = adapter
        self.id = "\(alias)/\(providerName)/\(upstreamModel)#\(index)"
        self.price = price
        self.rpmLimit = rpmLimit
        self.tpmLimit = tpmLimit
    }
}

/// An alias and everything needed to serve it.
public struct ModelGroup: Sendable {
    public let name: String
    public let deployments: [Deployment]
    public let price: Price?
    public let contextWindow: Int?
    public let fallbacks: [String]
    public let contextWindowFallbacks: [String]
    public let contentPolicyFallbacks: [String]
    public let strategy: RoutingStrategy
    /// Whether keys with credits or budgets may use this alias's unpriced deployments.
    public var allowUnpriced = false
    /// Whether requests sharing a long prefix keep to one deployment (`models[].prompt_cache_affinity`).
    public var promptCacheAffinity = true
    /// The alias's response cache (`models[].cache`); nil: not cached.
    public var cache: CacheSettings?
    /// Hedge slow starts: nil = never; otherwise after this fixed delay, or the alias's p95
    /// time to first byte when the delay is `.adaptive`.
    public let hedging: Hedging?

    /// When a second attempt is sent for a slow request.
    public enum Hedging: Sendable, Equatable {
        case after(seconds: Double)
        case adaptive
    }

    public init(
        name: String, deployments: [Deployment], price: Price?, contextWindow: Int?, fallbacks: [String],
        contextWindowFallbacks: [String] = [], contentPolicyFallbacks: [String] = [], strategy: RoutingStrategy = .weighted,
        hedging: Hedging? = nil
    ) {
        self.hedging = hedging
        self.name = name
        self.deployments = deployments
        self.price = price
        self.contextWindow = contextWindow
        self.fallbacks = fallbacks
        self.contextWindowFallbacks = contextWindowFallbacks
        self.contentPolicyFallbacks = contentPolicyFallbacks
        self.strategy = strategy
    }
}
