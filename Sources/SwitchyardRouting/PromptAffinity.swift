public import SwitchyardCore

/// Prompt-cache affinity (pure): providers cache long prompt prefixes per deployment, so
/// requests of an alias that share a long prefix — system prompt, tools and every turn but the
/// last — go to the same deployment while it is healthy, by rendezvous (highest random weight)
/// hashing on the prefix, instead of being spread by the strategy. Hashes are FNV-1a and
/// splitmix64, identical in every replica (Swift's `Hasher` is seeded per process).
public enum PromptAffinity {
    /// A prefix shorter than this many estimated tokens is not worth keeping together
    /// (providers cache from 1,024 tokens).
    public static let minimumPrefixTokens = 1024

    /// The affinity key of a prefix: nil below `minimumPrefixTokens`.
    public static func key(prefixBytes: [ArraySlice<UInt8>]) -> UInt64? {
        let count = prefixBytes.reduce(0) { $0 + $1.count }
        guard TokenEstimator.estimate(byteCount: count) >= minimumPrefixTokens else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in prefixBytes {
            for byte in part {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The affinity key of a client body's prefix: `prefixMembers` (tools, system) and every
    /// element of the `turns` array but the last, as the client sent them.
    public static func key(scanner: JSONScanner, root: JSONSpan, prefixMembers: [String], turns: String) -> UInt64? {
        var parts = prefixMembers.compactMap { scanner.member($0, of: root).map { scanner.raw($0.value) } }
        if let array = scanner.member(turns, of: root)?.value, array.kind == .array {
            parts += scanner.elements(of: array).dropLast().map { scanner.raw($0) }
        }
        return key(prefixBytes: parts)
    }

    /// `deployments` ordered by their rendezvous score for `key`, highest first: every replica
    /// picks the same first one, and removing a deployment moves only the prefixes it had.
    public static func order(_ deployments: [Deployment], key: UInt64) -> [Deployment] {
        deployments.map { (deployment: $0, score: score(key: key, id: $0.id)) }.sorted { $0.score > $1.score }.map(\.deployment)
    }

    static func score(key: UInt64, id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return mix(hash ^ mix(key))
    }

    /// splitmix64's output for a seed: a well-mixed 64-bit value.
    static func mix(_ value: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: value)
        return generator.next()
    }
}
