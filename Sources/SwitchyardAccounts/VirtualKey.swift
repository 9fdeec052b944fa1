import Foundation

/// A caller's key: what it may use and its limits. The plaintext is never stored — only its
/// SHA-256 (`keyHash`) and a short prefix for people to recognise it by.
public struct VirtualKey: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Owner or team tag, free text.
    public var owner: String?
    public var keyHash: String
    /// `sk-sy-` and the first four characters, for listings.
    public var keyPrefix: String
    public var createdAt: Int64
    public var expiresAt: Int64?
    public var revokedAt: Int64?
    /// Model names or patterns (`gpt-*`) the key may call; empty allows every model.
    public var models: [String]
    public var rpm: Int?
    public var tpm: Int?
    public var maxParallel: Int?
    /// Prepaid balance; nil = no credit limit.
    public var credits: Money?
    /// A periodic spending cap; nil = none.
    public var budget: Budget?
    public var metadata: [String: String]

    /// The largest `rpm`, `tpm` or `max_parallel` a key may have (10¹²): rates stay exact in a
    /// `Double` token bucket and every figure derived from them fits an `Int`.
    public static let maxLimit = 1_000_000_000_000

    public init(
        id: String, name: String, owner: String? = nil, keyHash: String, keyPrefix: String, createdAt: Int64,
        expiresAt: Int64? = nil, revokedAt: Int64? = nil, models: [String] = [], rpm: Int? = nil, tpm: Int? = nil,
        maxParallel: Int? = nil, credits: Money? = nil, budget: Budget? = nil, metadata: [String: String] = [:]
    ) {
        self.budget = budget
        self.id = id
        self.name = name
        self.owner = owner
        self.keyHash = keyHash
        self.keyPrefix = keyPrefix
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.models = models
        self.rpm = rpm
        self.tpm = tpm
        self.maxParallel = maxParallel
        self.credits = credits
        self.metadata = metadata
    }

    /// Whether the key may be used at `now` (seconds since 1970).
    public func isActive(at now: Int64) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    /// Whether the key may call `model`.
    public func allows(model: String) -> Bool {
        models.isEmpty || models.contains { ModelPattern.matches($0, model) }
    }
}

/// `*` wildcards in model names (`gpt-*`, `*-mini`, `*`).
public enum ModelPattern {
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        guard pattern.contains("*") else { return pattern == name }
        let pieces = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(name)
        for (index, piece) in pieces.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(piece) else { return false }
                rest = rest.dropFirst(piece.count)
            } else if index == pieces.count - 1 {
                return piece.isEmpty || rest.hasSuffix(piece)
            } else if !piece.isEmpty {
                guard let range = rest.range(of: piece) else { return false }
                rest = rest[range.upperBound...]
            }
        }
        return rest.isEmpty
    }
}
