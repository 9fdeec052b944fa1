/// A Responses API answer kept for `GET /v1/responses/{id}` and `previous_response_id` (when
/// the request had `store: true`, the default): scoped to the key that made it — another key
/// never sees it — and deleted after the configured retention.
public struct StoredResponse: Sendable, Equatable {
    public var id: String
    /// Who may read it: the key's id (`Principal.tenant`), or "" for the master key.
    public var owner: String
    /// The alias that served it.
    public var model: String
    /// The provider that served it, and whether it has the conversation itself (a native
    /// Responses upstream that stored it): a follow-up to the same provider may then pass
    /// `previous_response_id` through instead of replaying the history.
    public var provider: String
    public var upstreamStored: Bool
    /// The `Response` object as the client received it (JSON).
    public var response: [UInt8]
    /// The whole conversation's input items for this turn, oldest first (JSON array): the
    /// previous turns' inputs and outputs, then this turn's input.
    public var inputItems: [UInt8]
    /// This turn's output items (JSON array).
    public var outputItems: [UInt8]
    public var createdAt: Int64

    public init(
        id: String, owner: String, model: String, provider: String, upstreamStored: Bool, response: [UInt8], inputItems: [UInt8],
        outputItems: [UInt8], createdAt: Int64
    ) {
        self.id = id
        self.owner = owner
        self.model = model
        self.provider = provider
        self.upstreamStored = upstreamStored
        self.response = response
        self.inputItems = inputItems
        self.outputItems = outputItems
        self.createdAt = createdAt
    }
}
