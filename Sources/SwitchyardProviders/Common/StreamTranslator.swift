public import SwitchyardCore

/// Turns a provider's streamed response bytes into canonical stream events — a pure state
/// machine (DESIGN §6.6): bytes in, events out. Malformed frames and in-stream errors become a
/// `.error` event; after one the stream is over.
public protocol StreamTranslator: Sendable {
    /// Consumes the next bytes of the response body.
    mutating func feed(_ bytes: [UInt8]) -> [ChatStreamEvent]
    /// The body ended; returns any last events (a `.error` when the stream was cut short).
    mutating func finish() -> [ChatStreamEvent]
    /// Whether the provider signalled the normal end of the answer.
    var isComplete: Bool { get }
}

/// A translator for providers that stream server-sent events: framing is shared, each provider
/// says what one event means.
public protocol SSEStreamTranslator: StreamTranslator {
    var parser: SSEParser { get set }
    var providerName: String { get }
    /// The canonical events for one upstream SSE event.
    mutating func translate(_ event: SSEEvent) -> [ChatStreamEvent]
    /// Events due when the body ends (default: none, or an error if the stream was incomplete).
    mutating func bodyEnded() -> [ChatStreamEvent]
}

extension SSEStreamTranslator {
    public mutating func feed(_ bytes: [UInt8]) -> [ChatStreamEvent] {
        let events: [SSEEvent]
        do {
            events = try parser.feed(bytes)
        } catch {
            return [.error(.upstreamMalformed(providerName, "a stream event exceeded the size limit"))]
        }
        var output: [ChatStreamEvent] = []
        for event in events {
            output += translate(event)
            if case .error? = output.last { return output }
        }
        return output
    }

    public mutating func finish() -> [ChatStreamEvent] {
        var output: [ChatStreamEvent] = []
        if let last = parser.finish() { output += translate(last) }
        if case .error? = output.last { return output }
        return output + bodyEnded()
    }

    public mutating func bodyEnded() -> [ChatStreamEvent] {
        isComplete ? [] : [.error(.upstreamMalformed(providerName, "the stream ended before it was complete"))]
    }
}

/// Parses one stream event's JSON payload, or says why it could not.
enum StreamJSON {
    static func object(_ data: [UInt8], provider: String) -> Result<JSONValue, GatewayError> {
        guard let value = try? JSONValue.parse(data), value.isObject else {
            return .failure(.upstreamMalformed(provider, "a stream event was not a JSON object"))
        }
        return .success(value)
    }
}
