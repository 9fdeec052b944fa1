public import SwitchyardCore

/// Maps an upstream error (status, message, the provider's error codes, retry hint) to the
/// gateway's error kinds, per PROTOCOLS §6: what is retried, what fails over, what the client
/// sees. Each provider's classifier extracts these from its own envelope and calls this.
public enum UpstreamErrorClassifier {
    public static func classify(
        provider: String, status: Int, message: String?, codes: [String], param: String? = nil, retryAfter: Double?
    ) -> GatewayError {
        let upstreamMessage = SecretScrubber.scrub(message ?? "")
        let marker = (codes + [upstreamMessage.lowercased()]).joined(separator: " ").lowercased()

        switch status {
        case 400, 413, 422:
            if marker.contains("context_length_exceeded") || marker.contains("exceed_context_size")
                || marker.contains("maximum context length") || marker.contains("context window") || marker.contains("prompt is too long")
                || marker.contains("input is too long") || marker.contains("too many tokens")
            {
                return .contextLengthExceeded(upstreamMessage.isEmpty ? "The prompt is longer than the model's context window." : upstreamMessage, upstreamStatus: status)
            }
            if marker.contains("content_filter") || marker.contains("responsibleaipolicyviolation") {
                return .contentFiltered("The provider's content filter rejected the prompt.", upstreamStatus: status)
            }
            if marker.contains("api_key_invalid") || marker.contains("api key not valid") {
                return upstreamAuthentication(provider, status: status)
            }
            if status == 413 || marker.contains("request_too_large") {
                return .upstream(.payloadTooLarge, "Provider '\(provider)' says the request is too large.", status: status)
            }
            return .upstream(.upstreamInvalidRequest, upstreamMessage.isEmpty ? "Provider '\(provider)' rejected the request (HTTP \(status))." : upstreamMessage, status: status, param: param)
        case 401, 403:
            return upstreamAuthentication(provider, status: status)
        case 402:
            return .upstream(.upstreamQuotaExhausted, "Provider '\(provider)' refused the request for billing reasons (HTTP 402).", status: status)
        case 404:
            return .upstream(.upstreamNotFound, "Provider '\(provider)' does not serve the configured model (HTTP 404)\(upstreamMessage.isEmpty ? "" : ": \(upstreamMessage)")", status: status)
        case 408:
            return .upstream(.upstreamTimeout, "Provider '\(provider)' timed out (HTTP 408).", status: status)
        case 429:
            if marker.contains("insufficient_quota") || marker.contains("spend_limit") || marker.contains("servicequotaexceeded") {
                return .upstream(.upstreamQuotaExhausted, "Provider '\(provider)' quota is exhausted.", status: status)
            }
            return .upstream(.upstreamRateLimited, "Provider '\(provider)' is rate limiting requests; retry later.", status: status, retryAfterSeconds: retryAfter)
        case 503, 529:
            return .upstream(.upstreamOverloaded, "Provider '\(provider)' is overloaded (HTTP \(status)).", status: status, retryAfterSeconds: retryAfter)
        case 504:
            return .upstream(.upstreamTimeout, "Provider '\(provider)' timed out (HTTP 504).", status: status)
        case 409, 424, 500...:
            return .upstream(.upstreamServerError, "Provider '\(provider)' failed (HTTP \(status)).", status: status, retryAfterSeconds: retryAfter)
        default:
            return .upstream(.upstreamInvalidRequest, "Provider '\(provider)' answered HTTP \(status).", status: status)
        }
    }

    static func upstreamAuthentication(_ provider: String, status: Int) -> GatewayError {
        .upstream(
            .upstreamAuthentication,
            "Provider '\(provider)' rejected the gateway's credentials (HTTP \(status)). Check its credentials in the gateway config.",
            status: status)
    }
}
