public import SwitchyardCore

/// Relays a provider's stream to a client in another format: the provider's translator turns
/// bytes into canonical events, the client's encoder turns those into the client's SSE.
public struct TranslatingStreamRelay<Encoder: ClientStreamEncoder>: ClientStreamRelay {
    private var translator: any StreamTranslator
    private var encoder: Encoder
    private var reportedUsage: Usage?
    private var completionBytes = 0
    private var ended = false
    private let promptBytes: Int

    /// `promptBytes` sizes the usage estimate the client gets when the provider reports none.
    public init(translator: any StreamTranslator, encoder: Encoder, promptBytes: Int) {
        self.translator = translator
        self.encoder = encoder
        self.promptBytes = promptBytes
    }

    /// The client encoder, as the stream left it.
    public var clientEncoder: Encoder { encoder }

    public mutating func feed(_ bytes: [UInt8]) -> RelayStep {
        guard !ended else { return RelayStep(output: []) }
        return relay(translator.feed(bytes), atEnd: false)
    }

    public mutating func upstreamEnded() -> RelayStep {
        guard !ended else { return RelayStep(output: [], end: .complete) }
        return relay(translator.finish(), atEnd: true)
    }

    public mutating func interrupted(by error: GatewayError) -> [UInt8] {
        ended = true
        return encoder.failure(error)
    }

    public func usage(promptBytes: Int) -> Usage {
        reportedUsage ?? TokenEstimator.usage(promptBytes: promptBytes, completionBytes: completionBytes)
    }

    private mutating func relay(_ events: [ChatStreamEvent], atEnd: Bool) -> RelayStep {
        var output: [UInt8] = []
        for event in events {
            switch event {
            case .error(let error):
                ended = true
                return RelayStep(output: output + encoder.failure(error), end: .failed(status: error.status))
            case .usage(let usage):
                reportedUsage = usage
            case .text(let text), .reasoning(let text):
                completionBytes += text.utf8.count
            case .toolCallArguments(_, let fragment):
                completionBytes += fragment.utf8.count
            case .toolCallStart(_, _, let name):
                completionBytes += name.utf8.count
            default:
                break
            }
            output += encoder.encode(event)
        }
        if translator.isComplete {
            ended = true
            if reportedUsage == nil { output += encoder.encode(.usage(usage(promptBytes: promptBytes))) }
            return RelayStep(output: output + encoder.finish(), end: .complete)
        }
        if atEnd {
            ended = true
            let failure = GatewayError.upstreamMalformed("upstream", "the stream ended before it was complete")
            return RelayStep(output: output + encoder.failure(failure), end: .failed(status: failure.status))
        }
        return RelayStep(output: output)
    }
}

/// Relays an OpenAI-format upstream stream to an OpenAI-format client (the fast path): events
/// are forwarded as they came, see `OpenAIStreamRelay`.
public struct OpenAIPassthroughRelay: ClientStreamRelay {
    private var parser = SSEParser()
    private var relay: OpenAIStreamRelay

    public init(relay: OpenAIStreamRelay) {
        self.relay = relay
    }

    public mutating func feed(_ bytes: [UInt8]) -> RelayStep {
        let events: [SSEEvent]
        do {
            events = try parser.feed(bytes)
        } catch {
            let failure = GatewayError.upstreamMalformed(relay.providerName, "a stream event exceeded the size limit")
            return RelayStep(output: failure.openAIStreamEvent, end: .failed(status: failure.status))
        }
        var output: [UInt8] = []
        for event in events {
            switch relay.event(event) {
            case .write(let bytes): output += bytes
            case .skip: continue
            case .finish(let bytes): return RelayStep(output: output + bytes, end: .complete)
            case .fail(let bytes): return RelayStep(output: output + bytes, end: .failed(status: 502))
            }
        }
        return RelayStep(output: output)
    }

    public mutating func upstreamEnded() -> RelayStep {
        if let last = parser.finish() {
            switch relay.event(last) {
            case .finish(let bytes): return RelayStep(output: bytes, end: .complete)
            case .write(let bytes), .fail(let bytes): return RelayStep(output: bytes + relay.truncatedError, end: .failed(status: 502))
            case .skip: break
            }
        }
        return RelayStep(output: relay.truncatedError, end: .failed(status: 502))
    }

    public mutating func interrupted(by error: GatewayError) -> [UInt8] { relay.interruptedError(error) }

    public func usage(promptBytes: Int) -> Usage { relay.usage(promptBytes: promptBytes) }
}
