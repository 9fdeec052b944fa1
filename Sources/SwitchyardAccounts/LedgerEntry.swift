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
    /// True when the deployment that served had no price (config nor catalog): the row's cost
    /// of zero is not what the provider bills.
    public var unpriced: Bool
    /// True when the answer came from the response cache, not from a provider.
    public var cacheHit: Bool
    /// What a cache hit saved its caller, in USD: the price of its tokens less what it was charged.
    public var saved: Money

    public init(
        requestID: String, keyID: String?, model: String, provider: String, upstreamModel: String, route: String? = nil,
        promptTokens: Int, completionTokens: Int, cachedTokens: Int = 0, reasoningTokens: Int = 0, estimated: Bool, cost: Money,
        status: Int, latencyMs: Double, timeToFirstTokenMs: Double? = nil, attempts: Int, stream: Bool, createdAt: Int64, unpriced: Bool = false, cacheHit: Bool = false,
        saved: Money = .zero
    ) {
        self.unpriced = unpriced
        self.cacheHit = cacheHit
        self.saved = saved
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

    enum CodingKeys: String, CodingKey {
        case requestID, keyID, model, provider, upstreamModel, route, promptTokens, completionTokens, cachedTokens, reasoningTokens, estimated
        case cost, status, latencyMs, timeToFirstTokenMs, attempts, stream, createdAt, unpriced, cacheHit, saved
    }

    /// Journal lines written before `unpriced`, `cacheHit` and `saved` existed read as priced,
    /// served upstream and saving nothing.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            requestID: try c.decode(String.self, forKey: .requestID), keyID: try c.decodeIfPresent(String.self, forKey: .keyID),
            model: try c.decode(String.self, forKey: .model), provider: try c.decode(String.self, forKey: .provider),
            upstreamModel: try c.decode(String.self, forKey: .upstreamModel), route: try c.decodeIfPresent(String.self, forKey: .route),
            promptTokens: try c.decode(Int.self, forKey: .promptTokens), completionTokens: try c.decode(Int.self, forKey: .completionTokens),
            cachedTokens: try c.decode(Int.self, forKey: .cachedTokens), reasoningTokens: try c.decode(Int.self, forKey: .reasoningTokens),
            estimated: try c.decode(Bool.self, forKey: .estimated), cost: try c.decode(Money.self, forKey: .cost),
            status: try c.decode(Int.self, forKey: .status), latencyMs: try c.decode(Double.self, forKey: .latencyMs),
            timeToFirstTokenMs: try c.decodeIfPresent(Double.self, forKey: .timeToFirstTokenMs), attempts: try c.decode(Int.self, forKey: .attempts),
            stream: try c.decode(Bool.self, forKey: .stream), createdAt: try c.decode(Int64.self, forKey: .createdAt),
            unpriced: try c.decodeIfPresent(Bool.self, forKey: .unpriced) ?? false,
            cacheHit: try c.decodeIfPresent(Bool.self, forKey: .cacheHit) ?? false,
            saved: try c.decodeIfPresent(Money.self, forKey: .saved) ?? .zero)
    }
}

/// Usage totals for one group (a day `2026-11-25`, a model name or a key id).
public struct UsageTotals: Sendable, Equatable {
    public var group: String
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var cost: Money
    /// Requests served from the response cache, and what they saved their callers.
    public var cacheHits: Int
    public var saved: Money

    public init(group: String, requests: Int, promptTokens: Int, completionTokens: Int, cost: Money, cacheHits: Int = 0, saved: Money = .zero) {
        self.cacheHits = cacheHits
        self.saved = saved
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
