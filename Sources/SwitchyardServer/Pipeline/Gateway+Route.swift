import Hummingbird
import SwitchyardCore
import SwitchyardRouting
import SwitchyardAccounts

extension Gateway {
    /// When `model` names a router (`auto`, or `router-auto-0.62`): the decision, which names
    /// the alias that serves. Features are only computed for router requests.
    func route(model: String, request: Request, context: GatewayRequestContext, promptBytes: Int, features: () -> RequestFeatures) -> RouteDecision? {
        guard routers.mayRoute(model), let (router, threshold) = routers.current.router(for: model) else { return nil }
        var headers: [String: String] = [:]
        for field in request.headers where field.name.canonicalName.hasPrefix("x-switchyard-") {
            headers[field.name.canonicalName] = field.value
        }
        var keyName: String?
        var keyMetadata: [String: String] = [:]
        if case .key(let key) = context.principal {
            keyName = key.name
            keyMetadata = key.metadata
        }
        let input = RoutingInput(
            features: features(), promptTokens: TokenEstimator.estimate(byteCount: promptBytes), keyName: keyName, keyMetadata: keyMetadata,
            headers: headers)
        let decision = router.decide(input, thresholdOverride: threshold)
        var keyID: String?
        if case .key(let key) = context.principal { keyID = key.id }
        recentRoutes.remember(requestID: context.requestID, decision: decision, keyID: keyID)
        return decision
    }
}
