import SwitchyardCore

/// The normalising every adapter applies to its configured endpoint and extra headers.
enum AdapterSettings {
    /// The base URL without a trailing slash, so paths append cleanly.
    static func baseURL(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The config's extra headers in a stable order.
    static func headers(_ extra: [String: String]) -> [(name: String, value: String)] {
        extra.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }
}

/// Conversation turns for providers that want user and assistant turns alternating (Anthropic,
/// Gemini, Bedrock): consecutive pieces of one role are merged into one turn.
struct AlternatingTurns {
    private(set) var turns: [(role: String, pieces: [JSONValue])] = []

    mutating func append(role: String, _ pieces: [JSONValue]) {
        guard !pieces.isEmpty else { return }
        if let last = turns.last, last.role == role {
            turns[turns.count - 1].pieces += pieces
        } else {
            turns.append((role, pieces))
        }
    }
}
