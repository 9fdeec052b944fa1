/// When to try again and how long to wait first: exponential backoff with full jitter, the
/// upstream's retry hint honoured, everything bounded by the request deadline.
public struct RetryPolicy: Sendable {
    public let baseDelay: Double
    public let maxDelay: Double
    /// A hint longer than this is not waited out on the same deployment: fail over instead.
    public let longHint: Double

    public init(baseDelay: Double = 0.25, maxDelay: Double = 8, longHint: Double = 60) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.longHint = longHint
    }

    /// The wait before retry number `retry` (0-based) of the same deployment, or nil when waiting
    /// would not fit in `remaining` seconds or the hint is too long.
    public func delay(retry: Int, hint: Double?, remaining: Double, using random: inout some RandomNumberGenerator) -> Double? {
        let wait: Double
        if let hint {
            guard hint <= longHint else { return nil }
            wait = hint
        } else {
            let ceiling = min(maxDelay, baseDelay * Double(1 << min(retry, 16)))
            wait = Double.random(in: 0...ceiling, using: &random)
        }
        return wait < remaining ? wait : nil
    }
}
