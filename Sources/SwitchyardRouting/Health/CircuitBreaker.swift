/// Per-deployment circuit breaker as a pure state machine (DESIGN §6.6); times are seconds on a
/// monotonic clock supplied by the caller, so tests drive it with an injected clock.
///
/// `failureThreshold` failures within `window` seconds open it for `cooldown` seconds; then one
/// probe request is let through (half-open): success closes it, failure opens it again.
///
/// A failure that a request's content may have caused (a malformed answer, a 500, a timeout) is
/// recorded with its tenant (the key): one tenant's such failures alone count at most
/// `failureThreshold - 1`, so no single tenant can open the breaker for everyone; they count in
/// full once two tenants see them. Failures no request can cause (connection refused, overload,
/// rate limits) and those of the operator or a health probe (no tenant) always count in full.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: String, Sendable { case closed, open, halfOpen = "half_open" }

    public let failureThreshold: Int
    public let window: Double
    public let cooldown: Double
    public private(set) var state: State = .closed
    private var failures: [Failure] = []

    struct Failure: Sendable, Equatable {
        let time: Double
        let tenant: String?
    }
    private var openedAt: Double = 0
    private var probeInFlight = false

    public init(failureThreshold: Int, window: Double, cooldown: Double) {
        self.failureThreshold = max(1, failureThreshold)
        self.window = window
        self.cooldown = cooldown
    }

    /// Whether a request may be sent now; in half-open state only one probe at a time.
    public mutating func permit(now: Double) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard now - openedAt >= cooldown else { return false }
            state = .halfOpen
            probeInFlight = true
            return true
        case .halfOpen:
            guard !probeInFlight else { return false }
            probeInFlight = true
            return true
        }
    }

    /// Whether the deployment would accept a request now, without claiming the probe.
    public func isAvailable(now: Double) -> Bool {
        switch state {
        case .closed: true
        case .open: now - openedAt >= cooldown
        case .halfOpen: !probeInFlight
        }
    }

    public mutating func recordSuccess() {
        state = .closed
        failures.removeAll()
        probeInFlight = false
    }

    /// Records a failure; `tenant` names who sent a request whose content may have caused it.
    public mutating func recordFailure(now: Double, tenant: String? = nil) {
        probeInFlight = false
        if state == .halfOpen {
            // A failed probe reopens it, unless one tenant's request may have caused the failure:
            // then the next request probes again.
            if tenant == nil { open(now: now) }
            return
        }
        failures.append(Failure(time: now, tenant: tenant))
        failures.removeAll { now - $0.time > window }
        if weightedFailures >= failureThreshold { open(now: now) }
    }

    /// Failures in the window as they count towards opening (see the type's comment).
    private var weightedFailures: Int {
        var unattributed = 0
        var tenants: Set<String> = []
        var attributed = 0
        for failure in failures {
            if let tenant = failure.tenant {
                attributed += 1
                tenants.insert(tenant)
            } else {
                unattributed += 1
            }
        }
        return unattributed + (tenants.count >= 2 ? attributed : min(attributed, failureThreshold - 1))
    }

    /// A request that was permitted but ended without a verdict on the deployment (client left).
    public mutating func recordAbandoned() {
        probeInFlight = false
    }

    private mutating func open(now: Double) {
        state = .open
        openedAt = now
        failures.removeAll()
    }
}
