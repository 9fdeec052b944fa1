public import SwitchyardCore

/// Who is asking, as a learned router's tier controls see it.
public struct RoutingCaller: Sendable, Equatable {
    public var keyID: String?
    /// The key's `team` metadata.
    public var team: String?
    /// The master key (an operator): always allowed to lower its share.
    public var isOperator: Bool
    /// `x-switchyard-strong-share`, when the request sent a valid one (0–1).
    public var requestedShare: Double?
    /// What is left of the key's credits or budget, as a fraction (the smaller of the two); nil
    /// when the key has neither.
    public var remaining: Double?
    /// Whether an earlier turn of this conversation was sent to the strong tier.
    public var sessionIsStrong: Bool

    public init(
        keyID: String? = nil, team: String? = nil, isOperator: Bool = false, requestedShare: Double? = nil, remaining: Double? = nil,
        sessionIsStrong: Bool = false
    ) {
        self.keyID = keyID
        self.team = team
        self.isOperator = isOperator
        self.requestedShare = requestedShare
        self.remaining = remaining
        self.sessionIsStrong = sessionIsStrong
    }
}

/// A learned router's controls per tenant and per moment (pure): the threshold a caller gets.
///
/// 1. The base: a threshold in the model name (`router-auto-0.62`), else the caller's override
///    (its key's, else its team's: a threshold, or a share turned into one), else the router's.
/// 2. `x-switchyard-strong-share` can only lower the share (raise the threshold), and only for
///    callers allowed to.
/// 3. Budget pressure caps the share of a key with less than `below` of its credits or budget left.
///
/// Shares become thresholds through `forShare` (the router's score distribution), so every
/// control composes as "the highest threshold wins". A session that went strong stays strong
/// (`keepsSessionStrong`), whatever the threshold, unless budget pressure applies.
public struct StrongTierPolicy: Sendable {
    public let overrides: [RouterOverride]
    public let allowShareHeader: Bool
    public let budgetPressure: BudgetPressure?
    public let stickySessions: Bool

    public init(overrides: [RouterOverride] = [], allowShareHeader: Bool = false, budgetPressure: BudgetPressure? = nil, stickySessions: Bool = true) {
        self.overrides = overrides
        self.allowShareHeader = allowShareHeader
        self.budgetPressure = budgetPressure
        self.stickySessions = stickySessions
    }

    public init(_ settings: RouterSettings) {
        self.init(
            overrides: settings.overrides, allowShareHeader: settings.allowShareHeader, budgetPressure: settings.budgetPressure,
            stickySessions: settings.stickySessions)
    }

    /// The override that applies to `caller`: its key's, else its team's.
    public func override(for caller: RoutingCaller) -> RouterOverride? {
        if let key = caller.keyID, let found = overrides.first(where: { $0.key == key }) { return found }
        if let team = caller.team, let found = overrides.first(where: { $0.key == nil && $0.team == team }) { return found }
        return nil
    }

    /// The threshold for `caller`, and the control that set it (`override`, `header`, `budget`),
    /// if one did. `base` is the router's own threshold; `explicit` one the model name carried.
    public func threshold(
        base: Double, explicit: Double?, caller: RoutingCaller, forShare: (Double) -> Double
    ) -> (threshold: Double, control: String?) {
        var threshold = base
        var control: String?
        let override = override(for: caller)
        if let explicit {
            threshold = explicit
        } else if let override, let value = override.threshold ?? override.strongShare.map(forShare) {
            threshold = value
            control = "override"
        }
        let allowed = caller.isOperator || (override?.allowShareHeader ?? allowShareHeader)
        if allowed, let share = caller.requestedShare {
            let capped = forShare(share)
            if capped > threshold {
                threshold = capped
                control = "header"
            }
        }
        if let pressure = budgetPressure, let remaining = caller.remaining, remaining < pressure.below {
            let capped = forShare(pressure.maxShare)
            if capped > threshold {
                threshold = capped
                control = "budget"
            }
        }
        return (threshold, control)
    }

    /// Whether a request scored below its threshold still goes strong: its conversation already
    /// did — unless the key is under budget pressure, whose cap is the harder limit.
    public func keepsSessionStrong(_ caller: RoutingCaller) -> Bool {
        guard stickySessions && caller.sessionIsStrong else { return false }
        if let pressure = budgetPressure, let remaining = caller.remaining, remaining < pressure.below { return false }
        return true
    }
}
