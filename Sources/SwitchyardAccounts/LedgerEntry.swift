/// One served request, as the usage ledger records it (exactly one row per request).
public struct LedgerEntry: Sendable, Equatable, Codable {
    public var requestID: String
    public var keyID: String?
    public var model: String
    public var provider: String
    public var upstreamModel: String
    /// Why this model served (e.g. `fallback`, a router's decision), when there was a choice.
    public var route: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int
    public var reasoningTokens: Int
    /// True when the token counts are the gateway's estimate (the upstream reported none).
    public var estimated: Bool
    /// What the request cost and was charged, in USD.
    public var cost: Money
    public var status: Int
    public var latencyMs: Double
    public var timeToFirstTokenMs: Double?
    public var attempts: Int
    public var stream: Bool
    /// Seconds since 1970.
    public var createdAt: Int64

    public init(
        requestID: String, keyID: String?, model: String, provider: String, upstreamModel: String, route: String? = nil,
        promptTokens: Int, completionTokens: Int, cachedTokens: Int = 0, reasoningTokens: Int = 0, estimated: Bool, cost: Money,
        status: Int, latencyMs: Double, timeToFirstTokenMs: Double? = nil, attempts: Int, stream: Bool, createdAt: Int64
    ) {
        self.requestID = requestID
        self.keyID = keyID
        self.model = model
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.route = route
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
        self.estimated = estimated
        self.cost = cost
        self.status = status
        self.latencyMs = latencyMs
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.attempts = attempts
        self.stream = stream
        self.createdAt = createdAt
    }
}

/// Usage totals for one group (a day `2026-11-25`, a model name or a key id).
public struct UsageTotals: Sendable, Equatable {
    public var group: String
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var cost: Money

    public init(group: String, requests: Int, promptTokens: Int, completionTokens: Int, cost: Money) {
        self.group = group
        self.requests = requests
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
    }
}

/// How usage is grouped.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case day, model, key, provider
}
