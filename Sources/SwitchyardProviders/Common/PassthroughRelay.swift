public import SwitchyardCore

/// Relays a same-format upstream stream to the client event for event (DESIGN §1 step 7), while
/// its `Observer` reads what metering and storage need off the events and says when the stream
/// ended. The upstream frames events as SSE, or (Claude on Bedrock) inside event-stream frames;
/// the client always gets SSE. Truncation, unreadable events and read failures end the stream
/// with the observer's in-stream error event.
public struct PassthroughRelay<Observer: PassthroughObserver>: ClientStreamRelay {
    /// How the upstream frames its events.
    public enum Framing: Sendable {
        case sse(SSEParser)
        case bedrockAnthropic(BedrockAnthropicFraming)
    }

    private var framing: Framing
    private let providerName: String
    /// What the observer gathered (usage, the final response).
    public private(set) var observer: Observer
    private var ended = false

    public init(providerName: String, observer: Observer, framing: Framing = .sse(SSEParser())) {
        self.providerName = providerName
        self.observer = observer
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
        case .bedrockAnthropic(var decoder):
            let decoded = decoder.feed(bytes, provider: providerName)
            framing = .bedrockAnthropic(decoder)
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
        return Observer.errorEvent(error)
    }

    public func usage(promptBytes: Int) -> Usage { observer.usage(promptBytes: promptBytes) }

    /// Appends the event unchanged; returns how the stream ended when it did.
    private mutating func relay(_ event: SSEEvent, into output: inout [UInt8]) -> RelayEnd? {
        if event.isDone {
            output += SSEEncoder.done
            ended = true
            return .complete
        }
        guard let json = try? JSONValue.parse(event.data), json.isObject else {
            if event.data.isEmpty { return nil }
            let step = fail(.upstreamMalformed(providerName, "a stream event was not a JSON object"), after: [])
            output += step.output
            return step.end
        }
        output += SSEEncoder.event(name: event.event, data: event.data)
        guard let end = observer.observe(name: event.event, json: json) else { return nil }
        ended = true
        return end
    }

    private mutating func fail(_ error: GatewayError, after output: [UInt8]) -> RelayStep {
        ended = true
        return RelayStep(output: output + Observer.errorEvent(error), end: .failed(status: error.status))
    }
}

/// One API's reading of its own stream events, for `PassthroughRelay` (OpenAI's `[DONE]`, where
/// an API sends it, is relayed and ends the stream without reaching the observer).
public protocol PassthroughObserver: Sendable {
    /// Notes one upstream event (`name` from the `event:` line); how the stream ended, when it did.
    mutating func observe(name: String?, json: JSONValue) -> RelayEnd?
    /// The client-format in-stream error event for a failure (nothing follows it).
    static func errorEvent(_ error: GatewayError) -> [UInt8]
    /// The reported usage, else an estimate.
    func usage(promptBytes: Int) -> Usage
}
