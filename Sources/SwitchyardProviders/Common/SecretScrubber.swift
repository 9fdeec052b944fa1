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
            words[index] = scrubWord(word)
        }
        let joined = words.joined(separator: " ")
        return joined.count > maxLength ? String(joined.prefix(maxLength)) + "…" : joined
    }

    /// A word with every credential-looking piece replaced: pieces are split at punctuation, so
    /// `(key:sk-…)`, `"sk-…"` or `api_key=sk-…` are caught as well as a bare key.
    static func scrubWord(_ word: String) -> String {
        if isSecret(word) { return "***" }
        let separators: Set<Character> = ["(", ")", "[", "]", "{", "}", ":", "=", ",", ";", "'", "\"", "<", ">", "`", "."]
        guard word.contains(where: separators.contains) else { return word }
        var result = "", piece = ""
        for character in word {
            if separators.contains(character) {
                result += isSecret(piece) ? "***" : piece
                result.append(character)
                piece = ""
            } else {
                piece.append(character)
            }
        }
        return result + (isSecret(piece) ? "***" : piece)
    }

    static func isSecret(_ piece: String) -> Bool {
        prefixes.contains(where: { piece.hasPrefix($0) && piece.count > $0.count + 3 }) || looksLikeToken(piece)
    }

    /// Long unbroken runs of letters and digits (API keys, tokens) rather than prose.
    static func looksLikeToken(_ word: String) -> Bool {
        guard word.utf8.count >= 32 else { return false }
        let digits = word.utf8.filter { $0 >= 48 && $0 <= 57 }.count
        let alnum = word.utf8.filter { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || $0 == 45 || $0 == 95 }.count
        return digits >= 4 && alnum == word.utf8.count
    }
}
