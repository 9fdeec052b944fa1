public import SwitchyardCore

/// Relays an Anthropic stream to an Anthropic-format client event for event.
public typealias AnthropicPassthroughRelay = PassthroughRelay<AnthropicStreamObserver>

extension PassthroughRelay where Observer == AnthropicStreamObserver {
    public init(providerName: String, framing: Framing = .sse(SSEParser())) {
        self.init(providerName: providerName, observer: AnthropicStreamObserver(), framing: framing)
    }
}

/// Reads usage off Anthropic's `message_start` / `message_delta` (cache reads and writes
/// included); `message_stop` completes the stream, an `error` event fails it.
public struct AnthropicStreamObserver: PassthroughObserver {
    private var startUsage: Usage?
    private var reportedUsage: Usage?
    private var completionBytes = 0

    public init() {}

    public mutating func observe(name: String?, json: JSONValue) -> RelayEnd? {
        switch name ?? json["type"]?.stringValue {
        case "message_start":
            startUsage = json["message"]?["usage"].map { AnthropicResponseDecoder.usage($0) }
        case "content_block_delta":
            let delta = json["delta"]
            completionBytes += (delta?["text"]?.stringValue ?? delta?["thinking"]?.stringValue ?? delta?["partial_json"]?.stringValue)?.utf8.count ?? 0
        case "message_delta":
            if let usage = json["usage"] { reportedUsage = AnthropicResponseDecoder.usage(usage, known: startUsage) }
        case "message_stop":
            return .complete
        case "error":
            return .failed(status: 502)
        default:
            break
        }
        return nil
    }

    public static func errorEvent(_ error: GatewayError) -> [UInt8] { error.anthropicStreamEvent }

    public func usage(promptBytes: Int) -> Usage {
        if let reportedUsage { return reportedUsage }
        guard let startUsage else { return TokenEstimator.usage(promptBytes: promptBytes, completionBytes: completionBytes) }
        var usage = startUsage
        usage.completionTokens = TokenEstimator.estimate(byteCount: completionBytes)
        usage.isEstimated = true
        return usage
    }
}
