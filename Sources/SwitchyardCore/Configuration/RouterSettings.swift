/// `routers[]` — a name clients send as `model` that picks one of several aliases per request.
public struct RouterSettings: Sendable {
    /// How the choice is made.
    public enum Kind: String, Sendable, CaseIterable {
        /// P(strong needed) from the learned model; strong iff P ≥ threshold.
        case learned
        /// Ordered conditions on request features; the first that matches names the alias.
        case rules
        /// The cheapest candidate whose predicted quality clears `quality_floor`.
        case cost
    }

    public var name: String
    public var kind: Kind
    /// `learned`: the cheap and the strong alias.
    public var weak: String?
    public var strong: String?
    /// `learned`: a fixed threshold, or the share of traffic to send strong (calibrated).
    public var threshold: Double?
    public var strongShare: Double?
    /// `learned`/`cost`: a weights file other than the bundled one.
    public var weightsPath: String?
    /// `rules`: tried in order.
    public var rules: [RouteRule] = []
    /// `rules`: the alias when no rule matches.
    public var defaultModel: String?
    /// `cost`: the aliases to choose among, with their capability level (0 weakest … 1 strongest).
    public var candidates: [CostCandidate] = []
    /// `cost`: the predicted quality a candidate must reach (0–1).
    public var qualityFloor: Double = 0.7
    /// `learned`: thresholds or shares per key or team, in place of the router's own (the first
    /// that names the caller's key, else the first that names its team).
    public var overrides: [RouterOverride] = []
    /// `learned`: whether a caller may lower its strong share with `x-switchyard-strong-share`
    /// (an override may say otherwise for its keys; the master key always may).
    public var allowShareHeader = false
    /// `learned`: caps the strong share of keys that are running out of credits or budget.
    public var budgetPressure: BudgetPressure?
    /// `learned`: a conversation that reached the strong tier stays there.
    public var stickySessions = true
    /// `learned`: decide and record, but serve `default` (the strong alias when unset).
    public var shadow = false

    /// Every alias the router may send to, each once, in the order the settings name them.
    public var aliases: [String] {
        var seen = Set<String>()
        let named = [weak, strong, defaultModel].compactMap { $0 } + rules.map(\.target) + candidates.map(\.model)
        return named.filter { seen.insert($0).inserted }
    }

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// A learned router's threshold or strong share for one key (by id) or team (key metadata `team`).
public struct RouterOverride: Sendable, Equatable {
    public var key: String?
    public var team: String?
    public var threshold: Double?
    public var strongShare: Double?
    /// Whether these callers may lower their share with `x-switchyard-strong-share` (nil: the router's setting).
    public var allowShareHeader: Bool?

    public init(key: String? = nil, team: String? = nil, threshold: Double? = nil, strongShare: Double? = nil, allowShareHeader: Bool? = nil) {
        self.key = key
        self.team = team
        self.threshold = threshold
        self.strongShare = strongShare
        self.allowShareHeader = allowShareHeader
    }
}

/// When a key's remaining credits or budget fall below `below` (a fraction), its strong share is
/// capped at `maxShare`.
public struct BudgetPressure: Sendable, Equatable {
    public var below: Double
    public var maxShare: Double

    public init(below: Double, maxShare: Double) {
        self.below = below
        self.maxShare = maxShare
    }
}

/// One rule of a `rules` router: every condition given must hold.
public struct RouteRule: Sendable {
    public var minTokens: Int?
    public var maxTokens: Int?
    public var hasTools: Bool?
    public var hasImages: Bool?
    public var hasResponseFormat: Bool?
    /// Regular expressions on the system prompt and on the message text.
    public var systemPattern: String?
    public var messagePattern: String?
    /// The caller's virtual key name must be one of these.
    public var keyNames: [String]?
    /// The caller's key metadata must have these values (e.g. `team: research`).
    public var keyMetadata: [String: String] = [:]
    /// Request headers (lowercased names, e.g. `x-switchyard-tier`) that must have these values.
    public var headers: [String: String] = [:]
    /// The alias the rule sends to.
    public var target: String

    public init(target: String) {
        self.target = target
    }
}

/// A `cost` router candidate.
public struct CostCandidate: Sendable {
    public var model: String
    /// Capability level 0…1; default: spread evenly by price, cheapest 0, dearest 1.
    public var level: Double?

    public init(model: String, level: Double? = nil) {
        self.model = model
        self.level = level
    }
}
