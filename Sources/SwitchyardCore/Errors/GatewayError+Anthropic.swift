// MARK: - Anthropic wire format

extension GatewayError {
    /// The status an Anthropic-format caller receives: 529 when providers are overloaded
    /// (what Anthropic's SDKs raise as `OverloadedError`), otherwise the usual status.
    public var anthropicStatus: Int {
        kind == .upstreamOverloaded ? 529 : status
    }

    /// Anthropic's `error.type` for this error (status ↔ type as Anthropic documents it).
    public var anthropicType: String {
        switch anthropicStatus {
        case 401: "authentication_error"
        case 402: "billing_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 504: "timeout_error"
        case 529: "overloaded_error"
        case 500..<600: "api_error"
        default: "invalid_request_error"
        }
    }

    /// `{"type":"error","error":{"type","message"},"request_id"}`.
    public func anthropicBody(requestID: String?) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("type"); writer.string("error")
        writer.key("error")
        writer.beginObject()
        writer.key("type"); writer.string(anthropicType)
        writer.key("message"); writer.string(message)
        writer.endObject()
        if let requestID { writer.key("request_id"); writer.string(requestID) }
        writer.endObject()
        return writer.bytes
    }

    /// An in-stream `event: error` in Anthropic's format, which makes the SDKs raise.
    public var anthropicStreamEvent: [UInt8] {
        SSEEncoder.event(name: "error", data: anthropicBody(requestID: nil))
    }
}
