import Crypto

/// Making and hashing keys: `sk-sy-` + 32 base62 characters, stored as SHA-256 hex.
public enum KeyMaterial {
    public static let prefix = "sk-sy-"
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A new plaintext key from the system's secure random source.
    public static func generate() -> String {
        var random = SystemRandomNumberGenerator()
        return prefix + String((0..<32).map { _ in alphabet[Int.random(in: 0..<62, using: &random)] })
    }

    /// A new id for a key record (`key_` + 16 base62).
    public static func newID() -> String {
        var random = SystemRandomNumberGenerator()
        return "key_" + String((0..<16).map { _ in alphabet[Int.random(in: 0..<62, using: &random)] })
    }

    /// SHA-256 of the plaintext, lowercase hex.
    public static func hash(_ plaintext: String) -> String {
        SHA256.hash(data: Array(plaintext.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// What listings show instead of the key: `sk-sy-AbCd…`.
    public static func displayPrefix(_ plaintext: String) -> String {
        String(plaintext.prefix(prefix.count + 4)) + "…"
    }

    /// Whether `text` has the shape of a Switchyard key.
    public static func looksLikeKey(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.count == prefix.count + 32 && text.dropFirst(prefix.count).allSatisfy { alphabet.contains($0) }
    }
}
