import Logging
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Everything a request handler needs, built once at start-up from the configuration
/// (no per-request config parsing): the router, the executor, the transport, the limits.
struct Gateway: Sendable {
    let configuration: GatewayConfiguration
    let router: ModelRouter
    let executor: Executor
    let transport: any UpstreamTransport
    let upstreamTimeout: Duration
    let logger: Logger
    /// Upper bound on a non-streaming upstream body the gateway buffers.
    let maxUpstreamBodyBytes = 64 * 1024 * 1024
    /// Upper bound on an upstream error body read for classification.
    let maxErrorBodyBytes = 1024 * 1024

    init(configuration: GatewayConfiguration, transport: any UpstreamTransport, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        self.upstreamTimeout = .milliseconds(Int64(configuration.routing.timeoutSeconds * 1000))
        self.executor = Executor(maxAttempts: configuration.routing.retries + 1)
        self.router = ModelRouter(groups: Gateway.groups(configuration))
    }

    static func groups(_ configuration: GatewayConfiguration) -> [ModelGroup] {
        configuration.models.map { model in
            let deployments = model.targets.compactMap { target -> Deployment? in
                guard let settings = configuration.provider(named: target.provider),
                    let adapter = ProviderRegistry.adapter(for: settings)
                else { return nil }
                return Deployment(alias: model.name, providerName: settings.name, upstreamModel: target.model, weight: target.weight, adapter: adapter)
            }
            return ModelGroup(name: model.name, deployments: deployments, price: model.price, contextWindow: model.contextWindow, fallbacks: model.fallbacks)
        }
    }
}
