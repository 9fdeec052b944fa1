public import SwitchyardCore

/// Classifies error responses of OpenAI and OpenAI-compatible servers (OpenAI's envelope,
/// vLLM's and Mistral's flat bodies, llama.cpp's integer codes) — PROTOCOLS.md §1.5, §1.9, §6.
public enum OpenAIErrorClassifier {
    public static func classify(provider: String, status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        let details = ErrorDetails(body: body)
        return UpstreamErrorClassifier.classify(
            provider: provider, status: status, message: details.message, codes: [details.code, details.type].compactMap { $0 },
            param: details.param, retryAfter: RetryAfter.seconds(from: headers))
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
