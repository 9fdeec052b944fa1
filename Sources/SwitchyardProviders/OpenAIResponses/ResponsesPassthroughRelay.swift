public import SwitchyardCore

/// Relays a native Responses stream to the client event for event, keeping the final
/// `Response` (`response.completed`, `.incomplete` or `.failed`) for metering and storage.
public struct ResponsesPassthroughRelay: ClientStreamRelay {
    private var parser = SSEParser()
    private let providerName: String
    /// The last lifecycle event's response (the final one once the stream is over).
    public private(set) var final: JSONValue?
    private var completionBytes = 0
    private var ended = false

    public init(providerName: String) {
        self.providerName = providerName
    }

    public mutating func feed(_ bytes: [UInt8]) -> RelayStep {
        guard !ended else { return RelayStep(output: []) }
        let events: [SSEEvent]
        do {
            events = try parser.feed(bytes)
        } catch {
            return fail(.upstreamMalformed(providerName, "a stream event exceeded the size limit"), after: [])
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
        if let last = parser.finish(), let end = relay(last, into: &output) { return RelayStep(output: output, end: end) }
        return fail(.upstreamMalformed(providerName, "the stream ended before it was complete"), after: output)
    }

    public mutating func interrupted(by error: GatewayError) -> [UInt8] {
        ended = true
        return ResponsesPassthroughRelay.errorEvent(error)
    }

    public func usage(promptBytes: Int) -> Usage {
        if let usage = final?["usage"], usage.isObject { return ResponseObject.usage(usage) }
        return Usage(
            promptTokens: TokenEstimator.estimate(byteCount: promptBytes), completionTokens: TokenEstimator.estimate(byteCount: completionBytes),
            isEstimated: true)
    }

    private mutating func relay(_ event: SSEEvent, into output: inout [UInt8]) -> RelayEnd? {
        guard let json = try? JSONValue.parse(event.data), json.isObject else {
            if event.data.isEmpty { return nil }
            let step = fail(.upstreamMalformed(providerName, "a stream event was not a JSON object"), after: [])
            output += step.output
            return step.end
        }
        output += SSEEncoder.event(name: event.event, data: event.data)
        let type = json["type"]?.stringValue ?? event.event
        switch type {
        case "response.created", "response.in_progress":
            final = json["response"]
        case "response.output_text.delta", "response.function_call_arguments.delta":
            completionBytes += json["delta"]?.stringValue?.utf8.count ?? 0
        case "response.completed", "response.incomplete":
            final = json["response"]
            ended = true
            return .complete
        case "response.failed":
            final = json["response"]
            ended = true
            return .failed(status: 502)
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
        return RelayStep(output: output + ResponsesPassthroughRelay.errorEvent(error), end: .failed(status: error.status))
    }

    /// An `error` event the SDKs raise on (the spec's fields plus a nested `error` object).
    static func errorEvent(_ error: GatewayError) -> [UInt8] {
        let code = ResponseObject.errorCode(error)
        let payload = JSONValue.record([
            "type": .string("error"), "code": .string(code), "message": .string(error.message), "param": .null,
            "error": .record(["type": .string(error.openAIType), "code": .string(code), "message": .string(error.message)]),
        ])
        return SSEEncoder.event(name: "error", data: payload.serialized)
    }
}
