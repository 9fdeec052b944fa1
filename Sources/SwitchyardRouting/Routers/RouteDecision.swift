public import SwitchyardCore

/// What a router sees of a request.
public struct RoutingInput: Sendable {
    public var features: RequestFeatures
    /// Estimated prompt tokens (for context-window guards and token rules).
    public var promptTokens: Int
    /// The caller's virtual key name and metadata (e.g. its team), if any.
    public var keyName: String?
    public var keyMetadata: [String: String]
    /// Request headers, names lowercased.
    public var headers: [String: String]
    /// The caller as a learned router's tier controls see it.
    public var caller: RoutingCaller

    public init(
        features: RequestFeatures, promptTokens: Int, keyName: String? = nil, keyMetadata: [String: String] = [:], headers: [String: String] = [:],
        caller: RoutingCaller = RoutingCaller()
    ) {
        self.caller = caller
        self.features = features
        self.promptTokens = promptTokens
        self.keyName = keyName
        self.keyMetadata = keyMetadata
        self.headers = headers
    }
}

/// Which alias a router chose and why — rendered as `x-switchyard-route` and stored in the ledger.
public struct RouteDecision: Sendable, Equatable {
    public var router: String
    public var alias: String
    /// `weak`/`strong` (learned), `rule[N]`/`default` (rules), the candidate (cost).
    public var label: String
    public var score: Double?
    public var threshold: Double?
    /// A guard that overrode the score (`context`, `vision`, `tools`, `session`).
    public var guardReason: String?
    /// The tier control that set the threshold (`override`, `header`, `budget`).
    public var control: String?
    /// Shadow mode: the label is what the router would have done; `alias` is what serves.
    public var shadow = false
    /// The request's pooled embedding (learned and cost routers), kept for feedback training.
    public var embedding: [Float]?

    public init(router: String, alias: String, label: String, score: Double? = nil, threshold: Double? = nil, guardReason: String? = nil) {
        self.router = router
        self.alias = alias
        self.label = label
        self.score = score
        self.threshold = threshold
        self.guardReason = guardReason
    }

    /// `auto strong p=0.71 t=0.62` (DESIGN §4); in shadow mode `auto shadow:strong …`.
    public var summary: String {
        var parts = [router, shadow ? "shadow:" + label : label]
        if let score { parts.append("p=" + RouteDecision.format(score)) }
        if let threshold { parts.append("t=" + RouteDecision.format(threshold)) }
        if let guardReason { parts.append("guard=" + guardReason) }
        if let control { parts.append("ctl=" + control) }
        return parts.joined(separator: " ")
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((min(max(value, 0), 1) * 100).rounded())
        return hundredths == 100 ? "1.00" : "0." + (hundredths < 10 ? "0" : "") + String(hundredths)
    }
}

/// What routers need to know about the aliases they choose among.
public struct AliasCapabilities: Sendable {
    public var contextWindow: Int?
    public var supportsVision: Bool
    public var supportsTools: Bool
    /// USD per million input + output tokens (for ordering cost candidates).
    public var price: Price?

    public init(contextWindow: Int? = nil, supportsVision: Bool = true, supportsTools: Bool = true, price: Price? = nil) {
        self.contextWindow = contextWindow
        self.supportsVision = supportsVision
        self.supportsTools = supportsTools
        self.price = price
    }

    /// Why this alias cannot serve the request, if it cannot.
    public func unsuitability(for input: RoutingInput) -> String? {
        if let window = contextWindow, input.promptTokens > window { return "context" }
        if input.features.hasImages && !supportsVision { return "vision" }
        if input.features.hasTools && !supportsTools { return "tools" }
        return nil
    }
}

/// Picks an alias per request. Pure apart from calibration state (see `ShareCalibrator`).
public protocol RequestRouter: Sendable {
    var name: String { get }
    /// The aliases this router may send to (for validation and listing).
    var targets: [String] { get }
    func decide(_ input: RoutingInput, thresholdOverride: Double?) -> RouteDecision
}
