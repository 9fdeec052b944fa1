public import SwitchyardCore

/// The pure state machine behind relaying an OpenAI-format stream to an OpenAI-format client.
///
/// Feed it upstream SSE events; it says what to write. It keeps the usage chunk for metering
/// (and drops it when the client did not ask for it), counts completion bytes for an estimate
/// when the upstream reports no usage, and notices in-stream errors and truncation.
public struct OpenAIStreamRelay: Sendable {
    /// What to do with one upstream event.
    public enum Action: Sendable, Equatable {
        /// Write these bytes to the client.
        case write([UInt8])
        /// Nothing to write (a dropped usage chunk, a comment).
        case skip
        /// The stream completed normally; write these bytes (the `[DONE]` event) and stop.
        case finish([UInt8])
        /// The upstream reported an error mid-stream; write these bytes (an error event, no `[DONE]`) and stop.
        case fail([UInt8])
    }

    public let clientWantsUsage: Bool
    public let usageLocation: OpenAIStreamUsageLocation
    /// The usage the upstream reported, if it did.
    public private(set) var reportedUsage: Usage?
    /// Bytes of generated content seen (text and tool-call arguments), for an estimate.
    public private(set) var completionBytes = 0
    public private(set) var finishReason: String?
    public private(set) var isComplete = false

    public let providerName: String

    public init(providerName: String, clientWantsUsage: Bool, usageLocation: OpenAIStreamUsageLocation) {
        self.providerName = providerName
        self.clientWantsUsage = clientWantsUsage
        self.usageLocation = usageLocation
    }

    public mutating func event(_ event: SSEEvent) -> Action {
        if event.isDone {
            isComplete = true
            return .finish(SSEEncoder.done)
        }
        let scanner = JSONScanner(event.data)
        guard let root = try? scanner.root(), root.kind == .object else {
            return .fail(GatewayError.upstreamMalformed(providerName, "a stream event was not a JSON object").openAIStreamEvent)
        }
        if scanner.member("error", of: root) != nil {
            return .fail(SSEEncoder.event(data: event.data))
        }
        if let usage = OpenAIUsageReader.usage(in: scanner, object: root, location: usageLocation) {
            reportedUsage = usage
            if !clientWantsUsage && OpenAIUsageReader.isUsageOnlyChunk(scanner, object: root) {
                return .skip
            }
        }
        account(scanner: scanner, root: root)
        return .write(SSEEncoder.event(data: event.data))
    }

    /// The event to send when the upstream stream ends without `[DONE]`.
    public var truncatedError: [UInt8] {
        GatewayError.upstreamMalformed(providerName, "the stream ended before it was complete").openAIStreamEvent
    }

    /// The event to send when reading the upstream failed mid-stream.
    public func interruptedError(_ error: GatewayError) -> [UInt8] { error.openAIStreamEvent }

    private mutating func account(scanner: JSONScanner, root: JSONSpan) {
        guard let choices = scanner.member("choices", of: root)?.value else { return }
        for choice in scanner.elements(of: choices) {
            if let reason = scanner.member("finish_reason", of: choice)?.value, let text = scanner.string(reason) {
                finishReason = text
            }
            guard let delta = scanner.member("delta", of: choice)?.value else { continue }
            if let content = scanner.member("content", of: delta)?.value, content.kind == .string {
                completionBytes += content.range.count - 2
            }
            if let calls = scanner.member("tool_calls", of: delta)?.value {
                completionBytes += calls.range.count / 2
            }
        }
    }

    /// Upstream usage when reported, else an estimate from the prompt and the streamed content.
    public func usage(promptBytes: Int) -> Usage {
        reportedUsage ?? TokenEstimator.usage(promptBytes: promptBytes, completionBytes: completionBytes)
    }
}
