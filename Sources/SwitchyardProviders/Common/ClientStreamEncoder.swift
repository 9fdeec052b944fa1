public import SwitchyardCore

/// Writes canonical stream events in the client's wire format (OpenAI chunks or Anthropic
/// events) — the outbound half of a translated stream.
public protocol ClientStreamEncoder: Sendable {
    /// The bytes for one event (may be empty: some events only update state).
    mutating func encode(_ event: ChatStreamEvent) -> [UInt8]
    /// The bytes that end a complete stream (`[DONE]`, or `message_delta` + `message_stop`).
    mutating func finish() -> [UInt8]
    /// An in-stream error in the client's format; nothing follows it.
    mutating func failure(_ error: GatewayError) -> [UInt8]
}

/// How a relayed stream ended.
public enum RelayEnd: Sendable, Equatable {
    case complete
    case failed(status: Int)
}

/// What to write after one step of a relayed stream, and whether it was the last.
public struct RelayStep: Sendable, Equatable {
    public var output: [UInt8]
    public var end: RelayEnd?

    public init(output: [UInt8], end: RelayEnd? = nil) {
        self.output = output
        self.end = end
    }
}

/// The pure core of relaying an upstream stream to a client: bytes in, bytes to write out,
/// plus the usage to meter however the stream ended.
public protocol ClientStreamRelay: Sendable {
    mutating func feed(_ bytes: [UInt8]) -> RelayStep
    /// The upstream body ended.
    mutating func upstreamEnded() -> RelayStep
    /// Reading the upstream failed mid-stream; the bytes to end the client's stream with.
    mutating func interrupted(by error: GatewayError) -> [UInt8]
    /// Upstream usage when reported, else an estimate from the prompt and the streamed content.
    func usage(promptBytes: Int) -> Usage
}
