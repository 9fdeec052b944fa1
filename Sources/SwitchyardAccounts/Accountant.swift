import SwitchyardCore

/// The hot half of accounting: what a key may do right now. Admission checks the key's rate
/// limits and reserves the most a request can cost against its credits and budget, together;
/// settling releases that hold and charges what the request did cost; releasing gives back the
/// hold of a request that was not served. `LocalAccountant` does it in process (one replica);
/// the Redis one (SwitchyardRedis) makes it hold across a fleet. Every implementation passes
/// `AccountantConformance` (SwitchyardTesting).
public protocol Accountant: Sendable {
    /// 429 (rate limits, with `retry-after`), 402 (credits or budget), or 503 when the state the
    /// limits live in cannot be reached. Keys without limits, credits or budget hold nothing.
    func admit(_ request: AdmissionRequest) async throws(GatewayError) -> Hold?
    /// Releases the hold and charges `cost` — never more than the key has left, never below
    /// zero — and corrects the token rate by the request's actual tokens. Returns the charge.
    func settle(_ hold: Hold?, keyID: String?, cost: Money, actualTokens: Int) async -> Money
    /// Gives back the hold of a request that was not served (and its estimated tokens).
    func release(_ hold: Hold?) async
}

/// What admission is asked for one request of a virtual key.
public struct AdmissionRequest: Sendable {
    public var key: VirtualKey
    /// Unique per request (it names the hold).
    public var requestID: String
    public var estimatedTokens: Int
    /// The most the request can cost; nil when the key has neither credits nor a budget.
    public var estimate: Money?

    public init(key: VirtualKey, requestID: String, estimatedTokens: Int, estimate: Money?) {
        self.key = key
        self.requestID = requestID
        self.estimatedTokens = estimatedTokens
        self.estimate = estimate
    }

    /// Whether the key has anything admission must check.
    public var isLimited: Bool {
        key.rpm != nil || key.tpm != nil || key.maxParallel != nil || key.credits != nil || key.budget != nil
    }
}

/// What one admitted request holds until it is settled or released.
public struct Hold: Sendable, Equatable {
    public enum Place: Sendable, Equatable {
        /// In this process (`LocalAccountant`).
        case local
        /// In the shared store of a fleet (Redis).
        case shared
    }

    public var keyID: String
    public var requestID: String
    /// Money reserved (zero for keys without credits or budget).
    public var amount: Money
    public var estimatedTokens: Int
    public var countsParallel: Bool
    public var tpm: Bool
    public var place: Place

    public init(keyID: String, requestID: String, amount: Money, estimatedTokens: Int, countsParallel: Bool, tpm: Bool, place: Place) {
        self.keyID = keyID
        self.requestID = requestID
        self.amount = amount
        self.estimatedTokens = estimatedTokens
        self.countsParallel = countsParallel
        self.tpm = tpm
        self.place = place
    }
}
