import SwitchyardCore

/// One of the OpenAI endpoints (and rerank) the gateway serves by forwarding the client's body
/// — data, not code: the upstream path, the body's form, and how the answer is metered.
public struct PassthroughEndpoint: Sendable, Equatable {
    /// How a request of this endpoint is metered: the unit its provider bills.
    public enum Metering: Sendable, Equatable {
        /// Tokens, from the answer's `usage` (legacy completions).
        case tokens
        /// Images made (and tokens, where the model bills them: `gpt-image-1`).
        case images
        /// Characters of `input` turned into speech.
        case speechCharacters
        /// Seconds of audio in (transcriptions, translations).
        case audioDuration
        /// Input tokens, estimated (moderations report none).
        case inputEstimate
        /// Search units (Cohere) or tokens (Jina).
        case rerank
    }

    /// The path under the provider's base URL (and the gateway's `/v1`).
    public let path: String
    /// Whether the body is `multipart/form-data` (else JSON).
    public let multipart: Bool
    public let metering: Metering
    /// Whether `"stream": true` is served as a stream (the speech endpoint always streams).
    public let streams: Bool
    /// Whether the model field may be left out (then the alias named `defaultModel` serves).
    public let defaultModel: String?

    public static let completions = PassthroughEndpoint(path: "/completions", multipart: false, metering: .tokens, streams: true, defaultModel: nil)
    public static let imageGenerations = PassthroughEndpoint(
        path: "/images/generations", multipart: false, metering: .images, streams: false, defaultModel: nil)
    public static let imageEdits = PassthroughEndpoint(path: "/images/edits", multipart: true, metering: .images, streams: false, defaultModel: nil)
    public static let speech = PassthroughEndpoint(path: "/audio/speech", multipart: false, metering: .speechCharacters, streams: true, defaultModel: nil)
    public static let transcriptions = PassthroughEndpoint(
        path: "/audio/transcriptions", multipart: true, metering: .audioDuration, streams: true, defaultModel: nil)
    public static let translations = PassthroughEndpoint(
        path: "/audio/translations", multipart: true, metering: .audioDuration, streams: false, defaultModel: nil)
    public static let moderations = PassthroughEndpoint(
        path: "/moderations", multipart: false, metering: .inputEstimate, streams: false, defaultModel: "omni-moderation-latest")
    public static let rerank = PassthroughEndpoint(path: "/rerank", multipart: false, metering: .rerank, streams: false, defaultModel: nil)

    /// Output tokens an image request may bill per image, for reservations (`gpt-image-1` at
    /// high quality and the largest size).
    public static let maxImageOutputTokens = 6_240
}
