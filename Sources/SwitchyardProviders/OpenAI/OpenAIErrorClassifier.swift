public import SwitchyardCore

/// Classifies error responses of OpenAI and OpenAI-compatible servers (OpenAI's envelope,
/// vLLM's and Mistral's flat bodies, llama.cpp's integer codes) — PROTOCOLS.md §1.5, §1.9, §6.
public enum OpenAIErrorClassifier {
    public static func classify(provider: String, status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        let details = ErrorDetails(body: body)
        let upstreamMessage = SecretScrubber.scrub(details.message ?? "")
        let marker = ([details.code, details.type].compactMap { $0 } + [upstreamMessage.lowercased()]).joined(separator: " ")
        let retryAfter = RetryAfter.seconds(from: headers)

        switch status {
        case 400, 413, 422:
            if marker.contains("context_length_exceeded") || marker.contains("exceed_context_size")
                || marker.contains("maximum context length") || marker.contains("context window")
            {
                return .contextLengthExceeded(upstreamMessage.isEmpty ? "The prompt is longer than the model's context window." : upstreamMessage, upstreamStatus: status)
            }
            if marker.contains("content_filter") {
                return .contentFiltered("The provider's content filter rejected the prompt.", upstreamStatus: status)
            }
            return .upstream(.upstreamInvalidRequest, upstreamMessage.isEmpty ? "Provider '\(provider)' rejected the request (HTTP \(status))." : upstreamMessage, status: status, param: details.param)
        case 401, 403:
            return .upstream(.upstreamAuthentication, "Provider '\(provider)' rejected the gateway's credentials (HTTP \(status)). Check its api_key in the gateway config.", status: status)
        case 404:
            return .upstream(.upstreamNotFound, "Provider '\(provider)' does not serve the configured model (HTTP 404)\(upstreamMessage.isEmpty ? "" : ": \(upstreamMessage)")", status: status)
        case 408:
            return .upstream(.upstreamTimeout, "Provider '\(provider)' timed out (HTTP 408).", status: status)
        case 429:
            if marker.contains("insufficient_quota") || marker.contains("spend_limit") {
                return .upstream(.upstreamQuotaExhausted, "Provider '\(provider)' quota is exhausted.", status: status)
            }
            return .upstream(.upstreamRateLimited, "Provider '\(provider)' is rate limiting requests; retry later.", status: status, retryAfterSeconds: retryAfter)
        case 503, 529:
            return .upstream(.upstreamOverloaded, "Provider '\(provider)' is overloaded (HTTP \(status)).", status: status, retryAfterSeconds: retryAfter)
        case 504:
            return .upstream(.upstreamTimeout, "Provider '\(provider)' timed out (HTTP 504).", status: status)
        case 409, 500...:
            return .upstream(.upstreamServerError, "Provider '\(provider)' failed (HTTP \(status)).", status: status, retryAfterSeconds: retryAfter)
        default:
            return .upstream(.upstreamInvalidRequest, "Provider '\(provider)' answered HTTP \(status).", status: status)
        }
    }

    /// The fields of the many error body shapes OpenAI-compatible servers use.
    struct ErrorDetails {
        var message: String?
        var type: String?
        var code: String?
        var param: String?

        init(body: [UInt8]) {
            let scanner = JSONScanner(body)
            guard let root = try? scanner.root(), root.kind == .object else { return }
            let object = scanner.member("error", of: root).map(\.value).flatMap { $0.kind == .object ? $0 : nil } ?? root
            func text(_ key: String) -> String? {
                guard let span = scanner.member(key, of: object)?.value else { return nil }
                if let string = scanner.string(span) { return string }
                if span.kind == .number { return String(decoding: scanner.raw(span), as: UTF8.self) }
                return nil
            }
            message = text("message") ?? scanner.member("error", of: root).flatMap { scanner.string($0.value) } ?? text("detail")
            type = text("type")
            code = text("code")
            param = text("param")
        }
    }
}
