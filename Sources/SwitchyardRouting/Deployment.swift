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

    public init(alias: String, providerName: String, upstreamModel: String, weight: Double, adapter: any ProviderAdapter) {
        self.alias = alias
        self.providerName = providerName
        self.upstreamModel = upstreamModel
        self.weight = weight
        self.adapter = adapter
    }
}

/// An alias and everything needed to serve it.
public struct ModelGroup: Sendable {
    public let name: String
    public let deployments: [Deployment]
    public let price: Price?
    public let contextWindow: Int?
    public let fallbacks: [String]

    public init(name: String, deployments: [Deployment], price: Price?, contextWindow: Int?, fallbacks: [String]) {
        self.name = name
        self.deployments = deployments
        self.price = price
        self.contextWindow = contextWindow
        self.fallbacks = fallbacks
    }
}
