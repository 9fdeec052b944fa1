/// A token bucket as a pure state machine (times in seconds from the caller's clock):
/// `capacity` tokens, refilled continuously at `capacity` per `period` seconds.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let period: Double
    public private(set) var tokens: Double
    private var updatedAt: Double

    public init(capacity: Int, period: Double = 60, now: Double) {
        self.capacity = Double(max(1, capacity))
        self.period = period
        self.tokens = Double(max(1, capacity))
        self.updatedAt = now
    }

    private mutating func refill(now: Double) {
        guard now > updatedAt else { return }
        tokens = min(capacity, tokens + (now - updatedAt) * capacity / period)
        updatedAt = now
    }

    /// Takes `amount` if the bucket holds at least one token (a large request may overdraw it,
    /// as one request's tokens cannot be split); otherwise the seconds until one token is back.
    public mutating func take(_ amount: Double, now: Double) -> Double? {
        refill(now: now)
        guard tokens >= 1 else { return (1 - tokens) * period / capacity }
        tokens -= amount
        return nil
    }

    /// Adds (or, negative, takes) tokens after the fact, e.g. a request's actual token count.
    public mutating func adjust(by amount: Double, now: Double) {
        refill(now: now)
        tokens = min(capacity, tokens + amount)
    }

    /// Whole tokens available now.
    public mutating func remaining(now: Double) -> Int {
        refill(now: now)
        return Int(min(max(0, tokens), 1e15))
    }

    /// Seconds until the bucket is full again.
    public mutating func secondsUntilFull(now: Double) -> Double {
        refill(now: now)
        return (capacity - tokens) * period / capacity
    }
}
