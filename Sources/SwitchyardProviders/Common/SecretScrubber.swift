/// Removes credential-looking words from upstream messages before they reach a client or a log.
public enum SecretScrubber {
    static let prefixes = ["sk-", "sk_", "pk-", "gsk_", "xai-", "AIza", "Bearer", "AKIA", "key-", "api_key=", "key="]
    static let maxLength = 1000

    public static func scrub(_ message: String) -> String {
        var words = message.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var redactNext = false
        for index in words.indices {
            let word = words[index]
            if redactNext { words[index] = "***"; redactNext = false; continue }
            if word == "Bearer" { redactNext = true; continue }
            if prefixes.contains(where: { word.hasPrefix($0) }) || looksLikeToken(word) {
                words[index] = "***"
            }
        }
        let joined = words.joined(separator: " ")
        return joined.count > maxLength ? String(joined.prefix(maxLength)) + "…" : joined
    }

    /// Long unbroken runs of letters and digits (API keys, tokens) rather than prose.
    static func looksLikeToken(_ word: String) -> Bool {
        guard word.utf8.count >= 32 else { return false }
        let digits = word.utf8.filter { $0 >= 48 && $0 <= 57 }.count
        let alnum = word.utf8.filter { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || $0 == 45 || $0 == 95 }.count
        return digits >= 4 && alnum == word.utf8.count
    }
}
