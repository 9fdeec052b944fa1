import Foundation
import Synchronization
import SwitchyardCore

/// Per-key request and token rates (RPM, TPM as token buckets) and parallel requests, in memory.
/// A refusal is a 429 with `retry-after` and OpenAI's `x-ratelimit-*` headers.
package final class RateLimiter: Sendable {
    private struct KeyState {
        var requests: TokenBucket?
        var tokens: TokenBucket?
        var inFlight = 0
    }

    /// What an admitted request holds until it ends.
    package struct Ticket: Sendable {
        let keyID: String
        let estimatedTokens: Int
        let countsParallel: Bool
    }

    private let state = Mutex<[String: KeyState]>([:])
    let clock: @Sendable () -> Double

    package init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
    }

    package func admit(_ key: VirtualKey, estimatedTokens: Int) throws(GatewayError) -> Ticket? {
        guard key.rpm != nil || key.tpm != nil || key.maxParallel != nil else { return nil }
        let now = clock()
        return try state.withLock { all throws(GatewayError) -> Ticket? in
            var entry = all[key.id] ?? KeyState()
            if let rpm = key.rpm, entry.requests?.capacity != Double(max(1, rpm)) { entry.requests = TokenBucket(capacity: rpm, now: now) }
            if let tpm = key.tpm, entry.tokens?.capacity != Double(max(1, tpm)) { entry.tokens = TokenBucket(capacity: tpm, now: now) }
            if key.rpm == nil { entry.requests = nil }
            if key.tpm == nil { entry.tokens = nil }
            defer { all[key.id] = entry }
            if let limit = key.maxParallel, entry.inFlight >= limit {
                throw RateLimiter.refusal("Too many parallel requests for this key (max_parallel \(limit)).", wait: 1, key: key, entry: &entry, now: now)
            }
            if var bucket = entry.tokens, let wait = bucket.take(0, now: now) {
                entry.tokens = bucket
                throw RateLimiter.refusal("Token rate limit reached for this key (\(key.tpm ?? 0) tokens per minute).", wait: wait, key: key, entry: &entry, now: now)
            }
            if var bucket = entry.requests {
                if let wait = bucket.take(1, now: now) {
                    entry.requests = bucket
                    throw RateLimiter.refusal("Request rate limit reached for this key (\(key.rpm ?? 0) requests per minute).", wait: wait, key: key, entry: &entry, now: now)
                }
                entry.requests = bucket
            }
            entry.tokens?.adjust(by: -Double(estimatedTokens), now: now)
            if key.maxParallel != nil { entry.inFlight += 1 }
            return Ticket(keyID: key.id, estimatedTokens: estimatedTokens, countsParallel: key.maxParallel != nil)
        }
    }

    /// Ends an admitted request: frees its parallel slot and corrects the token bucket by the actual count.
    package func finish(_ ticket: Ticket?, actualTokens: Int?) {
        guard let ticket else { return }
        let now = clock()
        state.withLock { all in
            guard var entry = all[ticket.keyID] else { return }
            if ticket.countsParallel { entry.inFlight = max(0, entry.inFlight - 1) }
            if let actualTokens { entry.tokens?.adjust(by: Double(ticket.estimatedTokens - actualTokens), now: now) }
            all[ticket.keyID] = entry
        }
    }

    private static func refusal(_ message: String, wait: Double, key: VirtualKey, entry: inout KeyState, now: Double) -> GatewayError {
        var error = GatewayError.rateLimited(message, retryAfterSeconds: max(1, wait.rounded(.up)))
        if var requests = entry.requests {
            error.headers["x-ratelimit-limit-requests"] = String(Int(min(requests.capacity, 1e15)))
            error.headers["x-ratelimit-remaining-requests"] = String(requests.remaining(now: now))
            error.headers["x-ratelimit-reset-requests"] = duration(requests.secondsUntilFull(now: now))
            entry.requests = requests
        }
        if var tokens = entry.tokens {
            error.headers["x-ratelimit-limit-tokens"] = String(Int(min(tokens.capacity, 1e15)))
            error.headers["x-ratelimit-remaining-tokens"] = String(tokens.remaining(now: now))
            error.headers["x-ratelimit-reset-tokens"] = duration(tokens.secondsUntilFull(now: now))
            entry.tokens = tokens
        }
        return error
    }

    /// OpenAI's duration format: `1s`, `6m0s`.
    package static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        return whole >= 60 ? "\(whole / 60)m\(whole % 60)s" : "\(whole)s"
    }
}
