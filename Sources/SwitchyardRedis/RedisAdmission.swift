import SwitchyardAccounts
import SwitchyardCore

/// The pure core of the Redis accountant's admission (DESIGN §6.6): what the admit script is
/// sent for a request, and what its reply means — no I/O, so every verdict, and every reply a
/// broken or hostile server could send, is tested without Redis.
struct RedisAdmission: Sendable {
    let request: AdmissionRequest
    /// The reservation, clamped to what Lua compares exactly.
    let amount: Money
    let leaseMilliseconds: Int64

    init(_ request: AdmissionRequest, lease: Duration) {
        self.request = request
        amount = request.estimate.map { min(max($0, .zero), RedisAccountant.maxAmount) } ?? .zero
        leaseMilliseconds = RedisAdmission.milliseconds(lease)
    }

    /// What the script is told (see `RedisAccountant.admit`).
    var arguments: [String] {
        let key = request.key
        return [
            request.requestID, String(leaseMilliseconds), String(amount.nanos), String(max(0, request.estimatedTokens)),
            String(key.rpm ?? 0), String(key.tpm ?? 0), String(key.maxParallel ?? 0), key.credits != nil ? "1" : "0",
            key.budget.map { RedisAccountant.nanos($0.amount) } ?? "",
        ]
    }

    enum Verdict: Sendable {
        case admitted(Hold)
        /// Redis lacks the key's balance or period spend: seed them from the store, then ask again.
        case needsSeed
        case refused(GatewayError)
    }

    /// What a reply means; a reply the script cannot have sent is a `RedisError`.
    func verdict(_ reply: RESPValue) throws(RedisError) -> Verdict {
        let key = request.key
        let parts = reply.elements ?? []
        let word = parts.first?.string ?? ""
        let detail = parts.count > 1 ? parts[1].int ?? 0 : 0
        switch word {
        case "ok":
            return .admitted(Hold(
                keyID: key.id, requestID: request.requestID, amount: amount, estimatedTokens: request.estimatedTokens,
                countsParallel: key.maxParallel != nil, tpm: key.tpm != nil, place: .shared))
        case "seed":
            return .needsSeed
        case "parallel":
            return .refused(.rateLimited("Too many parallel requests for this key (max_parallel \(key.maxParallel ?? 0)).", retryAfterSeconds: 1))
        case "rpm", "tpm":
            let seconds = min(max(1, (Double(detail) / 1000).rounded(.up)), 3600)
            let requests = word == "rpm"
            var error = GatewayError.rateLimited(
                requests
                    ? "Request rate limit reached for this key (\(key.rpm ?? 0) requests per minute)."
                    : "Token rate limit reached for this key (\(key.tpm ?? 0) tokens per minute).", retryAfterSeconds: seconds)
            let kind = requests ? "requests" : "tokens"
            error.headers["x-ratelimit-limit-\(kind)"] = String(requests ? key.rpm ?? 0 : key.tpm ?? 0)
            error.headers["x-ratelimit-remaining-\(kind)"] = "0"
            error.headers["x-ratelimit-reset-\(kind)"] = RateLimiter.duration(seconds)
            return .refused(error)
        case "credits", "budget":
            return .refused(LocalAccountant.refusal(what: word, estimate: amount, available: Money(nanos: max(0, detail))))
        default:
            throw .unexpectedReply("admission: \(word.prefix(40))")
        }
    }

    /// A duration in whole milliseconds (at least one).
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? .max : max(1, millis + attoseconds / 1_000_000_000_000_000)
    }
}
