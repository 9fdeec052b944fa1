public import SwitchyardCore

/// Classifies Anthropic error responses (`{"type":"error","error":{"type","message"}}`, PROTOCOLS §2.6).
public enum AnthropicErrorClassifier {
    public static func classify(provider: String, status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        let json = try? JSONValue.parse(body)
        let error = json?["error"]
        let codes = [error?["type"]?.stringValue, error?["details"]?["error_code"]?.stringValue].compactMap { $0 }
        return UpstreamErrorClassifier.classify(
            provider: provider, status: status, message: error?["message"]?.stringValue, codes: codes,
            retryAfter: RetryAfter.seconds(from: headers))
    }

    /// The HTTP status Anthropic pairs with an error type (for in-stream `error` events).
    static func status(forType type: String) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "billing_error": 402
        case "permission_error": 403
        case "not_found_error": 404
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "timeout_error": 504
        case "overloaded_error": 529
        default: 500
        }
    }
}
