import struct Foundation.Data
import SwitchyardCore

/// Bedrock's InvokeModel stream for Anthropic models: event-stream frames whose `chunk` payloads
/// are `{"bytes": "<base64 of one Anthropic event>"}`; exceptions are frames of their own.
/// Yields the Anthropic events as SSE events (named by their `type`).
public struct BedrockAnthropicFraming: Sendable {
    private var decoder = EventStreamDecoder()

    static let metricsKey = "amazon-bedrock-invocationMetrics"

    public init() {}

    mutating func feed(_ bytes: [UInt8], provider: String) -> Result<[SSEEvent], GatewayError> {
        let messages: [EventStreamDecoder.Message]
        do {
            messages = try decoder.feed(bytes)
        } catch {
            return .failure(.upstreamMalformed(provider, "an event-stream frame was invalid (\(error))"))
        }
        var events: [SSEEvent] = []
        for message in messages {
            if message.headers[":message-type"] == "exception" {
                let type = message.headers[":exception-type"] ?? "internalServerException"
                let body = (try? JSONValue.parse(message.payload)) ?? .object([])
                return .failure(BedrockErrorClassifier.classify(
                    provider: provider, status: BedrockErrorClassifier.status(forException: type), code: type, message: body["message"]?.stringValue))
            }
            guard let payload = try? JSONValue.parse(message.payload), let encoded = payload["bytes"]?.stringValue,
                let data = Data(base64Encoded: encoded), let event = try? JSONValue.parse(data), let type = event["type"]?.stringValue
            else {
                return .failure(.upstreamMalformed(provider, "a chunk was not a base64-encoded Anthropic event"))
            }
            // Bedrock's own invocation metrics ride on the last event; the client never sees them.
            if let fields = event.fields, fields.contains(where: { $0.key == BedrockAnthropicFraming.metricsKey }) {
                events.append(SSEEvent(event: type, data: JSONValue.object(fields.filter { $0.key != BedrockAnthropicFraming.metricsKey }).serialized))
            } else {
                events.append(SSEEvent(event: type, data: Array(data)))
            }
        }
        return .success(events)
    }
}
