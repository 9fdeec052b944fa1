/// Per-deployment circuit breaker as a pure state machine (DESIGN §6.6); times are seconds on a
/// monotonic clock supplied by the caller, so tests drive it with an injected clock.
///
/// `failureThreshold` failures within `window` seconds open it for `cooldown` seconds; then one
/// probe request is let through (half-open): success closes it, failure opens it again.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: String, Sendable { case closed, open, halfOpen = "half_open" }

    public let failureThreshold: Int
    public let window: Double
    public let cooldown: Double
    public private(set) var state: State = .closed
    private var failures: [Double] = []
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

    public mutating func recordFailure(now: Double) {
        probeInFlight = false
        if state == .halfOpen {
            open(now: now)
            return
        }
        failures.append(now)
        failures.removeAll { now - $0 > window }
        if failures.count >= failureThreshold { open(now: now) }
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
