public import SwitchyardCore

/// Relays a native Responses stream to the client event for event.
public typealias ResponsesPassthroughRelay = PassthroughRelay<ResponsesStreamObserver>

extension PassthroughRelay where Observer == ResponsesStreamObserver {
    public init(providerName: String) {
        self.init(providerName: providerName, observer: ResponsesStreamObserver())
    }
}

/// Keeps the final `Response` of a Responses stream (`response.completed`, `.incomplete` or
/// `.failed`) for metering and storage.
public struct ResponsesStreamObserver: PassthroughObserver {
    /// The last lifecycle event's response (the final one once the stream is over).
    public private(set) var final: JSONValue?
    private var completionBytes = 0

    public init() {}

    public mutating func observe(name: String?, json: JSONValue) -> RelayEnd? {
        switch json["type"]?.stringValue ?? name {
        case "response.created", "response.in_progress":
            final = json["response"]
        case "response.output_text.delta", "response.function_call_arguments.delta":
            completionBytes += json["delta"]?.stringValue?.utf8.count ?? 0
        case "response.completed", "response.incomplete":
            final = json["response"]
            return .complete
        case "response.failed":
            final = json["response"]
            return .failed(status: 502)
        case "error":
            return .failed(status: 502)
        default:
            break
        }
        return nil
    }

    /// An `error` event the SDKs raise on (the spec's fields plus a nested `error` object).
    public static func errorEvent(_ error: GatewayError) -> [UInt8] {
        SSEEncoder.event(name: "error", data: JSONValue.object(errorFields(error)).serialized)
    }

    /// The fields of a Responses `error` event (without `sequence_number`).
    static func errorFields(_ error: GatewayError) -> [JSONValue.JSONField] {
        let code = ResponseObject.errorCode(error)
        return [
            .init("type", .string("error")), .init("code", .string(code)), .init("message", .string(error.message)), .init("param", .null),
            .init("error", .record(["type": .string(error.openAIType), "code": .string(code), "message": .string(error.message)])),
        ]
    }

    public func usage(promptBytes: Int) -> Usage {
        if let usage = final?["usage"], usage.isObject { return ResponseObject.usage(usage) }
        return TokenEstimator.usage(promptBytes: promptBytes, completionBytes: completionBytes)
    }
}
