public import SwitchyardCore

/// Reads what to meter off a passthrough endpoint's answer (pure).
public enum PassthroughUsage {
    /// The usage of a buffered answer. `requestUnits`: what the request itself says (images
    /// asked for, characters, audio length when the file's header tells it).
    public static func usage(
        of endpoint: PassthroughEndpoint, body: [UInt8], promptBytes: Int, requestUnits: BilledUnits, audioDurationKnown: Bool
    ) -> Usage {
        let json = try? JSONValue.parse(body)
        let estimate = Usage(promptTokens: TokenEstimator.estimate(byteCount: promptBytes), completionTokens: 0, isEstimated: true)
        switch endpoint.metering {
        case .tokens:
            return json?["usage"].flatMap(tokenUsage) ?? estimate
        case .images:
            var usage = json?["usage"].flatMap(tokenUsage) ?? Usage(promptTokens: 0, completionTokens: 0)
            usage.units.images = json?["data"]?.arrayValue?.count ?? requestUnits.images
            return usage
        case .speechCharacters:
            var usage = Usage(promptTokens: 0, completionTokens: 0)
            usage.units.characters = requestUnits.characters
            return usage
        case .audioDuration:
            return audioUsage(json, requestUnits: requestUnits, durationKnown: audioDurationKnown)
        case .inputEstimate:
            return estimate
        case .rerank:
            var usage = json?["usage"].flatMap(tokenUsage) ?? Usage(promptTokens: 0, completionTokens: 0)
            let searchUnits = json?["meta"]?["billed_units"]?["search_units"]?.intValue
            usage.units.requests = searchUnits ?? 1
            return usage
        }
    }

    /// Usage of a transcription: `usage: {type: duration, seconds}` or `{type: tokens, input_tokens,
    /// output_tokens}`, else `duration` of verbose JSON, else the audio's length from the
    /// request (estimated when its header did not tell it).
    public static func audioUsage(_ json: JSONValue?, requestUnits: BilledUnits, durationKnown: Bool) -> Usage {
        var usage = Usage(promptTokens: 0, completionTokens: 0)
        let reported = json?["usage"]
        if let tokens = reported.flatMap(tokenUsage), reported?["type"]?.stringValue != "duration" { usage = tokens }
        if let seconds = reported?["seconds"]?.doubleValue ?? json?["duration"]?.doubleValue, seconds.isFinite, seconds >= 0 {
            usage.units.audioMilliseconds = Int(min(seconds * 1000, Double(BilledUnits.maxCount)).rounded())
        } else {
            usage.units.audioMilliseconds = requestUnits.audioMilliseconds
            usage.isEstimated = !durationKnown
        }
        return usage
    }

    /// `{prompt_tokens, completion_tokens}` or `{input_tokens, output_tokens}` (images, audio),
    /// or Jina's `{total_tokens}`; nil when none is there.
    static func tokenUsage(_ usage: JSONValue) -> Usage? {
        guard usage.isObject else { return nil }
        let prompt = usage["prompt_tokens"]?.intValue ?? usage["input_tokens"]?.intValue
        let completion = usage["completion_tokens"]?.intValue ?? usage["output_tokens"]?.intValue
        guard prompt != nil || completion != nil || usage["total_tokens"]?.intValue != nil else { return nil }
        return Usage(promptTokens: prompt ?? usage["total_tokens"]?.intValue ?? 0, completionTokens: completion ?? 0)
    }

    /// The length of a WAV file (RIFF `fmt ` byte rate and `data` size), nil for anything else.
    public static func wavMilliseconds(_ bytes: ArraySlice<UInt8>) -> Int? {
        let bytes = Array(bytes.prefix(1 << 16))
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else { return nil }
        func uint32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        var offset = 12
        var byteRate: Int?
        while offset + 8 <= bytes.count {
            let size = uint32(offset + 4)
            if bytes[offset..<offset + 4].elementsEqual("fmt ".utf8), offset + 20 <= bytes.count {
                byteRate = uint32(offset + 16)
            } else if bytes[offset..<offset + 4].elementsEqual("data".utf8) {
                guard let rate = byteRate, rate > 0 else { return nil }
                return size * 1000 / rate
            }
            let (next, overflow) = offset.addingReportingOverflow(8 + size + size % 2)
            guard !overflow else { return nil }
            offset = next
        }
        return nil
    }
}

/// Reads a relayed OpenAI-format stream of a passthrough endpoint — legacy completions'
/// chunks, or transcription events — for its usage (`PassthroughRelay`).
public struct PassthroughStreamObserver: PassthroughObserver {
    let endpoint: PassthroughEndpoint
    let requestUnits: BilledUnits
    let audioDurationKnown: Bool
    private var reported: JSONValue?
    private var textBytes = 0

    public init(endpoint: PassthroughEndpoint, requestUnits: BilledUnits, audioDurationKnown: Bool) {
        self.endpoint = endpoint
        self.requestUnits = requestUnits
        self.audioDurationKnown = audioDurationKnown
    }

    public mutating func observe(name: String?, json: JSONValue) -> RelayEnd? {
        if let error = json["error"], error.isObject { return .failed(status: 502) }
        if let usage = json["usage"], usage.isObject { reported = json }
        for choice in json["choices"]?.arrayValue ?? [] { textBytes += choice["text"]?.stringValue?.utf8.count ?? 0 }
        textBytes += json["delta"]?.stringValue?.utf8.count ?? 0
        return json["type"]?.stringValue == "transcript.text.done" ? .complete : nil
    }

    public static func errorEvent(_ error: GatewayError) -> [UInt8] { error.openAIStreamEvent }

    public func usage(promptBytes: Int) -> Usage {
        if endpoint.metering == .audioDuration {
            return PassthroughUsage.audioUsage(reported, requestUnits: requestUnits, durationKnown: audioDurationKnown)
        }
        if let usage = reported?["usage"].flatMap(PassthroughUsage.tokenUsage) { return usage }
        return Usage(
            promptTokens: TokenEstimator.estimate(byteCount: promptBytes), completionTokens: TokenEstimator.estimate(byteCount: textBytes), isEstimated: true)
    }
}

/// Relays a binary answer (speech audio) to the client as it arrives; metered by the request's
/// characters.
public struct BinaryStreamRelay: ClientStreamRelay {
    let characters: Int
    public init(characters: Int) { self.characters = characters }
    public mutating func feed(_ bytes: [UInt8]) -> RelayStep { RelayStep(output: bytes) }
    public mutating func upstreamEnded() -> RelayStep { RelayStep(output: [], end: .complete) }
    /// Audio has no in-band error: the connection closes short.
    public mutating func interrupted(by error: GatewayError) -> [UInt8] { [] }
    public func usage(promptBytes: Int) -> Usage {
        var usage = Usage(promptTokens: 0, completionTokens: 0)
        usage.units.characters = characters
        return usage
    }
}
