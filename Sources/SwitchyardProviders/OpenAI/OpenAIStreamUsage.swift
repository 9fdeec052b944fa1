public import SwitchyardCore

/// Where a provider puts token usage in an OpenAI-format stream.
public enum OpenAIStreamUsageLocation: Sendable {
    /// The final chunk's top-level `usage` (OpenAI with `stream_options.include_usage`).
    case topLevel
    /// `x_groq.usage` on the last chunk (Groq), with top-level `usage` also accepted.
    case groq
}

/// Reads `usage` objects (OpenAI's `CompletionUsage`) out of response bodies and stream chunks.
public enum OpenAIUsageReader {
    /// The usage of a chunk or response object, if it carries a non-null one.
    public static func usage(in scanner: JSONScanner, object: JSONSpan, location: OpenAIStreamUsageLocation = .topLevel) -> Usage? {
        if let span = scanner.member("usage", of: object)?.value, span.kind == .object {
            return usage(scanner: scanner, span: span)
        }
        if case .groq = location, let groq = scanner.member("x_groq", of: object)?.value,
            let span = scanner.member("usage", of: groq)?.value, span.kind == .object {
            return usage(scanner: scanner, span: span)
        }
        return nil
    }

    static func usage(scanner: JSONScanner, span: JSONSpan) -> Usage {
        func int(_ key: String, in object: JSONSpan) -> Int {
            scanner.member(key, of: object).flatMap { scanner.int($0.value) } ?? 0
        }
        var usage = Usage(promptTokens: int("prompt_tokens", in: span), completionTokens: int("completion_tokens", in: span))
        if let details = scanner.member("prompt_tokens_details", of: span)?.value, details.kind == .object {
            usage.cachedPromptTokens = int("cached_tokens", in: details)
        }
        if let details = scanner.member("completion_tokens_details", of: span)?.value, details.kind == .object {
            usage.reasoningTokens = int("reasoning_tokens", in: details)
        }
        return usage
    }

    /// Whether a parsed chunk is the usage-only chunk (`"choices": []` with a usage object).
    public static func isUsageOnlyChunk(_ scanner: JSONScanner, object: JSONSpan) -> Bool {
        guard let choices = scanner.member("choices", of: object)?.value, choices.kind == .array,
            scanner.elements(of: choices).isEmpty
        else { return false }
        return scanner.member("usage", of: object)?.value.kind == .object
    }
}
