public import SwitchyardCore

/// Relays an Anthropic stream to an Anthropic-format client event for event (same-format
/// passthrough), reading usage off `message_start` / `message_delta` for metering (cache reads
/// and writes included) and noticing in-stream errors and truncation. The events come as SSE
/// (Anthropic) or, from Bedrock's InvokeModel stream, inside event-stream frames
/// (`BedrockAnthropicFraming`); the client always gets Anthropic's SSE.
public struct AnthropicPassthroughRelay: ClientStreamRelay {
    /// How the upstream frames the events.
    public enum Framing: Sendable {
        case sse(SSEParser)
        case bedrock(BedrockAnthropicFraming)
    }

    private var framing: Framing
    private let providerName: String
    private var startUsage: Usage?
    private var reportedUsage: Usage?
    private var completionBytes = 0
    private var ended = false

    public init(providerName: String, framing: Framing = .sse(SSEParser())) {
        self.providerName = providerName
        self.framing = framing
    }

    public mutating func feed(_ bytes: [UInt8]) -> RelayStep {
        guard !ended else { return RelayStep(output: []) }
        let events: [SSEEvent]
        switch framing {
        case .sse(var parser):
            do {
                events = try parser.feed(bytes)
            } catch {
                return fail(.upstreamMalformed(providerName, "a stream event exceeded the size limit"), after: [])
            }
            framing = .sse(parser)
        case .bedrock(var decoder):
            let decoded = decoder.feed(bytes, provider: providerName)
            framing = .bedrock(decoder)
            switch decoded {
            case .success(let found): events = found
            case .failure(let error): return fail(error, after: [])
            }
        }
        var output: [UInt8] = []
        for event in events {
            if let end = relay(event, into: &output) { return RelayStep(output: output, end: end) }
        }
        return RelayStep(output: output)
    }

    public mutating func upstreamEnded() -> RelayStep {
        guard !ended else { return RelayStep(output: [], end: .complete) }
        var output: [UInt8] = []
        if case .sse(var parser) = framing, let last = parser.finish(), let end = relay(last, into: &output) {
            return RelayStep(output: output, end: end)
        }
        return fail(.upstreamMalformed(providerName, "the stream ended before it was complete"), after: output)
    }

    public mutating func interrupted(by error: GatewayError) -> [UInt8] {
        ended = true
        return error.anthropicStreamEvent
    }

    public func usage(promptBytes: Int) -> Usage {
        reportedUsage ?? startUsage.map { Usage(
            promptTokens: $0.promptTokens, completionTokens: TokenEstimator.estimate(byteCount: completionBytes),
            cachedPromptTokens: $0.cachedPromptTokens, cacheWriteTokens: $0.cacheWriteTokens, isEstimated: true)
        } ?? Usage(
            promptTokens: TokenEstimator.estimate(byteCount: promptBytes), completionTokens: TokenEstimator.estimate(byteCount: completionBytes),
            isEstimated: true)
    }

    /// Appends the event unchanged; returns how the stream ended when it did.
    private mutating func relay(_ event: SSEEvent, into output: inout [UInt8]) -> RelayEnd? {
        guard let json = try? JSONValue.parse(event.data), json.isObject else {
            if event.data.isEmpty { return nil }
            let step = fail(.upstreamMalformed(providerName, "a stream event was not a JSON object"), after: [])
            output += step.output
            return step.end
        }
        output += SSEEncoder.event(name: event.event, data: event.data)
        switch event.event ?? json["type"]?.stringValue {
        case "message_start":
            startUsage = json["message"]?["usage"].map { AnthropicResponseDecoder.usage($0) }
        case "content_block_delta":
            let delta = json["delta"]
            completionBytes += (delta?["text"]?.stringValue ?? delta?["thinking"]?.stringValue ?? delta?["partial_json"]?.stringValue)?.utf8.count ?? 0
        case "message_delta":
            if let usage = json["usage"] { reportedUsage = AnthropicResponseDecoder.usage(usage, known: startUsage) }
        case "message_stop":
            ended = true
            return .complete
        case "error":
            ended = true
            return .failed(status: 502)
        default:
            break
        }
        return nil
    }

    private mutating func fail(_ error: GatewayError, after output: [UInt8]) -> RelayStep {
        ended = true
        return RelayStep(output: output + error.anthropicStreamEvent, end: .failed(status: error.status))
    }
}
