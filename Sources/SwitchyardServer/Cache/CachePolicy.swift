import Crypto
import SwitchyardAccounts
import SwitchyardCore

/// What the response cache does for one request (pure): from the alias's `cache:` settings,
/// the request's temperature and the client's `Cache-Control` / `x-switchyard-cache-ttl`.
enum CachePolicy {
    enum Decision: Sendable, Equatable {
        /// Neither looked up nor stored (`x-switchyard-cache: bypass`).
        case bypass
        /// Look the request up and/or store its answer, kept this long.
        case use(lookup: Bool, store: Bool, ttlSeconds: Double)
    }

    /// nil when the alias has no cache (no header is sent either).
    static func decide(_ settings: CacheSettings?, temperature: Double?, cacheControl: String?, ttlHeader: String?) -> Decision? {
        guard let settings else { return nil }
        // Unset temperature: every major provider's default is above 0, so the answer varies.
        let deterministic = (temperature ?? 1) <= 0
        guard deterministic || settings.nondeterministic else { return .bypass }
        let directives = Set((cacheControl ?? "").lowercased().split(separator: ",").map { String($0).trimmingSpaces() })
        let lookup = !directives.contains("no-cache")
        let store = !directives.contains("no-store")
        guard lookup || store else { return .bypass }
        var ttl = settings.ttlSeconds
        if let text = ttlHeader, let requested = Double(text.trimmingSpaces()), requested.isFinite, requested > 0 { ttl = min(ttl, requested) }
        return .use(lookup: lookup, store: store, ttlSeconds: ttl)
    }

    /// The partition of the cache a caller reads and writes: its key (the default: a tenant
    /// never sees another's answers), its key's `team` metadata, or everyone's.
    static func scope(_ scope: CacheSettings.Scope, principal: Principal) -> String {
        switch scope {
        case .global: return "global"
        case .team:
            if case .key(let key) = principal, let team = key.metadata["team"], !team.isEmpty { return "team:" + team }
            return "key:" + principal.owner
        case .key: return "key:" + principal.owner
        }
    }

    /// The cache key: SHA-256 of the client format, the alias, the scope and the request body
    /// normalised — object keys sorted, `model`, `stream` and `stream_options` left out (a
    /// stored stream answers the same request without streaming, and the other way round).
    static func key(format: String, alias: String, scope: String, body: JSONValue) -> String {
        var normalized: [UInt8] = Array("switchyard-cache-v1\u{0}\(format)\u{0}\(alias)\u{0}\(scope)\u{0}".utf8)
        let ignored: Set<String> = ["model", "stream", "stream_options"]
        let request = JSONValue.object((body.fields ?? []).filter { !ignored.contains($0.key) })
        normalized += sorted(request).serialized
        return SHA256.hash(data: normalized).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields): .object(fields.map { JSONValue.JSONField($0.key, sorted($0.value)) }.sorted { $0.key < $1.key })
        case .array(let items): .array(items.map(sorted))
        default: value
        }
    }
}
