import Crypto
import Hummingbird
import SwitchyardCore
import SwitchyardRouting
import SwitchyardAccounts

extension Gateway {
    /// When `model` names a router (`auto`, or `router-auto-0.62`): the decision, which names
    /// the alias that serves. Features are only computed for router requests; a learned router
    /// also sees the caller (its key's overrides, `x-switchyard-strong-share`, what is left of its
    /// credits or budget when the router applies budget pressure, whether the conversation went
    /// strong before).
    func route(
        model: String, request: Request, context: GatewayRequestContext, promptBytes: Int, features: () -> RequestFeatures
    ) async throws(GatewayError) -> RouteDecision? {
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
        let features = features()
        var input = RoutingInput(
            features: features, promptTokens: TokenEstimator.estimate(byteCount: promptBytes), keyName: keyName, keyMetadata: keyMetadata,
            headers: headers)
        var session: String?
        if let learned = router as? LearnedRouter {
            input.caller = try await caller(context: context, headers: headers, policy: learned.policy)
            if learned.policy.stickySessions {
                session = Self.sessionKey(router: router.name, owner: context.principal.owner, header: headers["x-switchyard-session"], features: features)
                input.caller.sessionIsStrong = session.map(sessionTiers.isStrong) ?? false
            }
        }
        let decision = router.decide(input, thresholdOverride: threshold)
        if let session, decision.label == "strong" { sessionTiers.markStrong(session) }
        var keyID: String?
        if case .key(let key) = context.principal { keyID = key.id }
        recentRoutes.remember(requestID: context.requestID, decision: decision, keyID: keyID)
        return decision
    }

    /// The caller as a learned router's tier controls see it.
    private func caller(context: GatewayRequestContext, headers: [String: String], policy: StrongTierPolicy) async throws(GatewayError) -> RoutingCaller {
        var caller = RoutingCaller()
        if let text = headers["x-switchyard-strong-share"] {
            guard let share = Double(text.trimmingSpaces()), (0...1).contains(share) else {
                throw .invalidRequest("x-switchyard-strong-share must be a number from 0 to 1.", param: "x-switchyard-strong-share")
            }
            caller.requestedShare = share
        }
        switch context.principal {
        case .master: caller.isOperator = true
        case .key(let key):
            caller.keyID = key.id
            caller.team = key.metadata["team"]
            if policy.budgetPressure != nil { caller.remaining = await standings.remaining(key, store: accounting.store) }
        case .anonymous: break
        }
        return caller
    }

    /// A conversation's key for one router and owner: `x-switchyard-session` when the client
    /// names its sessions, else a hash of what every turn of a conversation shares (the system
    /// prompt and the first user message).
    static func sessionKey(router: String, owner: String, header: String?, features: RequestFeatures) -> String? {
        let named = header?.trimmingSpaces()
        let session: String
        if let named, !named.isEmpty {
            session = "s:" + named.prefix(256)
        } else {
            guard !features.opening.isEmpty else { return nil }
            let digest = SHA256.hash(data: Array((features.system + "\u{0}" + features.opening).utf8))
            session = "h:" + digest.prefix(12).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        }
        return router + "\u{0}" + owner + "\u{0}" + session
    }
}
