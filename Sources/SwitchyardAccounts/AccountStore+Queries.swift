/// Bounded reads for the dashboard and the admin API: every list is a page (a limit and a
/// cursor), never the whole table, so pages stay fast with millions of keys and ledger rows.

/// A page of keys, newest first: `search` matches the beginning of a name (case-insensitive),
/// an id, or the beginning of a key prefix (`sk-sy-AbCd`) — each an index range, however many
/// keys there are; `before` continues after the last key of the previous page.
public struct KeyQuery: Sendable, Equatable {
    public var search: String?
    public var before: PageCursor?
    public var limit: Int

    public init(search: String? = nil, before: PageCursor? = nil, limit: Int = 50) {
        self.search = search
        self.before = before
        self.limit = KeyQuery.clampedLimit(limit)
    }

    /// Page sizes stay between 1 and 10,000.
    static func clampedLimit(_ limit: Int) -> Int { min(max(limit, 1), 10_000) }
}

/// Where a newest-first page ends: the last row's time and id (ties on time broken by id).
public struct PageCursor: Sendable, Equatable {
    public var createdAt: Int64
    public var id: String

    public init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// `1732900000.req_abc` — how a cursor travels in a link.
    public var token: String { "\(createdAt).\(id)" }

    public init?(token: String) {
        guard let dot = token.firstIndex(of: "."), let time = Int64(token[..<dot]) else { return nil }
        let id = String(token[token.index(after: dot)...])
        guard !id.isEmpty, id.utf8.count <= 200 else { return nil }
        self.init(createdAt: time, id: id)
    }
}

/// A page of ledger rows, newest first, optionally of one key, alias or status class.
public struct LedgerQuery: Sendable, Equatable {
    public var keyID: String?
    public var model: String?
    public var status: StatusFilter?
    public var before: PageCursor?
    public var limit: Int

    /// `ok` = status < 400, `error` = status ≥ 400, or one exact status.
    public enum StatusFilter: Sendable, Equatable {
        case ok, error
        case exactly(Int)

        public init?(_ text: String) {
            switch text {
            case "ok": self = .ok
            case "error": self = .error
            default:
                guard let status = Int(text), (100...599).contains(status) else { return nil }
                self = .exactly(status)
            }
        }

        public var text: String {
            switch self {
            case .ok: "ok"
            case .error: "error"
            case .exactly(let status): String(status)
            }
        }
    }

    public init(keyID: String? = nil, model: String? = nil, status: StatusFilter? = nil, before: PageCursor? = nil, limit: Int = 50) {
        self.keyID = keyID
        self.model = model
        self.status = status
        self.before = before
        self.limit = KeyQuery.clampedLimit(limit)
    }
}

/// Usage totals over `from..<to`, grouped, optionally of one key.
public struct UsageQuery: Sendable, Equatable {
    public var groupBy: UsageGrouping
    public var from: Int64?
    public var to: Int64?
    public var keyID: String?

    public init(groupBy: UsageGrouping, from: Int64? = nil, to: Int64? = nil, keyID: String? = nil) {
        self.groupBy = groupBy
        self.from = from
        self.to = to
        self.keyID = keyID
    }
}

/// Errors and latency over a window, from its most recent rows (at most `LedgerStats.sampleLimit`
/// of them: percentiles of a bounded sample, so the query stays fast on any ledger).
public struct LedgerStats: Sendable, Equatable {
    public var sampled: Int
    public var errors: Int
    public var p50LatencyMs: Double?
    public var p95LatencyMs: Double?

    public static let sampleLimit = 10_000

    public init(sampled: Int, errors: Int, p50LatencyMs: Double?, p95LatencyMs: Double?) {
        self.sampled = sampled
        self.errors = errors
        self.p50LatencyMs = p50LatencyMs
        self.p95LatencyMs = p95LatencyMs
    }

    /// Errors per sampled request (0 when nothing was sampled).
    public var errorRate: Double { sampled == 0 ? 0 : Double(errors) / Double(sampled) }

    /// The stats of latencies and statuses already read (newest first, at most the sample limit);
    /// the percentiles as PostgreSQL's `percentile_disc` computes them.
    public init(latencies: [Double], statuses: [Int]) {
        let sorted = latencies.sorted()
        // The smallest value with at least a fraction `p` of the values at or below it (nearest rank).
        func percentile(_ p: Double) -> Double? {
            guard !sorted.isEmpty else { return nil }
            let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(rank, 0), sorted.count - 1)]
        }
        self.init(sampled: latencies.count, errors: statuses.count { $0 >= 400 }, p50LatencyMs: percentile(0.5), p95LatencyMs: percentile(0.95))
    }
}

/// Requests a router decided, per day, router, decision label and served alias: what savings
/// and strong shares are computed from.
public struct RoutedUsage: Sendable, Equatable {
    /// `YYYY-MM-DD` (UTC).
    public var day: String
    public var router: String
    /// `weak`/`strong`, a rule, the candidate — the ledger route's second word.
    public var label: String
    public var model: String
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var cost: Money

    public init(day: String, router: String, label: String, model: String, requests: Int, promptTokens: Int, completionTokens: Int, cost: Money) {
        self.day = day
        self.router = router
        self.label = label
        self.model = model
        self.requests = requests
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
    }
}

/// A dashboard sign-in. The browser holds a random token in a cookie; the store keeps only its
/// SHA-256, so a copy of the database signs nobody in. Shared by every replica of a fleet.
public struct DashboardSession: Sendable, Equatable {
    public var tokenHash: String
    /// The virtual key that signed in; nil for an operator (the master key).
    public var keyID: String?
    /// Every state-changing form carries it.
    public var csrfToken: String
    public var createdAt: Int64
    public var expiresAt: Int64

    public init(tokenHash: String, keyID: String?, csrfToken: String, createdAt: Int64, expiresAt: Int64) {
        self.tokenHash = tokenHash
        self.keyID = keyID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

extension AccountStore {
    /// Totals grouped by day, model, key or provider for rows created in `from..<to`.
    public func usage(groupBy: UsageGrouping, from: Int64?, to: Int64?) async throws -> [UsageTotals] {
        try await usage(UsageQuery(groupBy: groupBy, from: from, to: to))
    }
}
