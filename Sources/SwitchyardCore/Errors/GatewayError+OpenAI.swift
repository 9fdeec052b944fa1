// MARK: - OpenAI wire format

extension GatewayError {
    /// OpenAI's `error.type` for this error.
    public var openAIType: String {
        switch kind {
        case .invalidRequest, .contextLengthExceeded, .upstreamInvalidRequest, .modelNotFound, .payloadTooLarge, .contentFiltered, .unknownEndpoint, .resourceNotFound:
            "invalid_request_error"
        case .authentication: "authentication_error"
        case .permissionDenied: "permission_error"
        case .insufficientCredits: "insufficient_credits"
        case .unpricedModel: "invalid_request_error"
        case .rateLimited, .upstreamRateLimited: "rate_limit_error"
        case .upstreamQuotaExhausted: "insufficient_quota"
        case .upstreamAuthentication, .upstreamServerError, .upstreamUnreachable, .upstreamMalformed, .upstreamNotFound, .internalError:
            "server_error"
        case .upstreamOverloaded, .noHealthyDeployment, .gatewayOverloaded: "service_unavailable"
        case .upstreamTimeout: "timeout_error"
        }
    }

    /// OpenAI's `error.code` for this error.
    public var openAICode: String? {
        switch kind {
        case .authentication: "invalid_api_key"
        case .modelNotFound: "model_not_found"
        case .unknownEndpoint: "unknown_url"
        case .resourceNotFound: "not_found"
        case .insufficientCredits: "insufficient_credits"
        case .unpricedModel: "unpriced_model"
        case .payloadTooLarge: "request_too_large"
        case .rateLimited, .upstreamRateLimited: "rate_limit_exceeded"
        case .upstreamQuotaExhausted: "insufficient_quota"
        case .contextLengthExceeded: "context_length_exceeded"
        case .contentFiltered: "content_filter"
        case .upstreamAuthentication: "upstream_authentication_failed"
        case .upstreamTimeout: "upstream_timeout"
        case .upstreamUnreachable: "upstream_unreachable"
        case .noHealthyDeployment: "no_healthy_deployment"
        case .gatewayOverloaded: "gateway_overloaded"
        default: nil
        }
    }

    /// `{"error":{"message","type","param","code"}}` — the envelope of OpenAI's `ErrorResponse`.
    public var openAIBody: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writeOpenAIErrorObject(into: &writer)
        writer.endObject()
        return writer.bytes
    }

    /// An in-stream SSE error event in OpenAI's format (`data: {"error":…}`), which makes the SDKs raise.
    public var openAIStreamEvent: [UInt8] {
        SSEEncoder.event(data: openAIBody)
    }

    private func writeOpenAIErrorObject(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("message"); writer.string(message)
        writer.key("type"); writer.string(openAIType)
        writer.key("param"); writer.optionalString(param)
        writer.key("code"); writer.optionalString(openAICode)
        writer.endObject()
    }
}
