import HTTPTypes

/// The header names the gateway reads and writes (literal, valid tokens: the initializer cannot fail).
extension HTTPField.Name {
    static let xRequestID = Self("x-request-id")!
    static let xClientRequestID = Self("x-client-request-id")!
    static let xSwitchyardModel = Self("x-switchyard-model")!
    static let xSwitchyardProvider = Self("x-switchyard-provider")!
    static let xSwitchyardOverheadMS = Self("x-switchyard-overhead-ms")!
    static let xSwitchyardAttempts = Self("x-switchyard-attempts")!
    static let xSwitchyardCostUSD = Self("x-switchyard-cost-usd")!
    static let xSwitchyardCache = Self("x-switchyard-cache")!
    static let xSwitchyardCacheTTL = Self("x-switchyard-cache-ttl")!
    static let xSwitchyardCacheSimilarity = Self("x-switchyard-cache-similarity")!
    static let xAPIKey = Self("x-api-key")!
    /// Anthropic's request id header (its SDKs read it into `request_id`).
    static let requestID = Self("request-id")!
    static let xSwitchyardFallbacks = Self("x-switchyard-fallbacks")!
    static let xSwitchyardRoute = Self("x-switchyard-route")!
    /// On answers the gateway estimated instead of asking a provider (`count_tokens`).
    static let xSwitchyardEstimated = Self("x-switchyard-estimated")!
}
