/// A caller's verdict on a routed answer (`POST /v1/feedback`), stored with what the router saw,
/// so `switchyard router train --from-feedback` can refit the router on in-domain labels.
public struct RouteFeedback: Sendable, Equatable {
    public var requestID: String
    /// The router that decided, the label it chose (`weak`/`strong`) and the alias that served.
    public var router: String
    public var label: String
    public var alias: String
    /// How good the answer was, 0 (bad) … 1 (good).
    public var outcome: Double
    /// The alias the caller would have preferred, if they said.
    public var preferredModel: String?
    /// The request's pooled embedding as the router computed it (nil when the request was too
    /// old for the gateway's feature cache: such feedback is kept but cannot train).
    public var embedding: [Float]?
    public var keyID: String?
    /// Seconds since 1970.
    public var createdAt: Int64

    public init(
        requestID: String, router: String, label: String, alias: String, outcome: Double, preferredModel: String? = nil, embedding: [Float]? = nil,
        keyID: String? = nil, createdAt: Int64
    ) {
        self.requestID = requestID
        self.router = router
        self.label = label
        self.alias = alias
        self.outcome = outcome
        self.preferredModel = preferredModel
        self.embedding = embedding
        self.keyID = keyID
        self.createdAt = createdAt
    }
}
