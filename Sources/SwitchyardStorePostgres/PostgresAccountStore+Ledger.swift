import Logging
import PostgresNIO
public import SwitchyardAccounts
import SwitchyardCore

extension PostgresAccountStore {
    static let ledgerColumns = """
        request_id, key_id, model, provider, upstream_model, route, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, \
        estimated, cost_nanos, status, latency_ms, ttft_ms, attempts, stream, created_at, unpriced, cache_hit, saved_nanos
        """
    static let ledgerColumnCount = 21
    /// Rows per INSERT (PostgreSQL allows 65 535 parameters per statement).
    static let ledgerChunk = 1000

    /// A rollup row's identity; `hour` is the bucket's start (an hour's, or a day's in `usage_daily`).
    private struct RollupKey: Hashable, Comparable {
        let hour: Int64
        let keyID: String
        let model: String
        let provider: String

        static func < (lhs: RollupKey, rhs: RollupKey) -> Bool {
            (lhs.hour, lhs.keyID, lhs.model, lhs.provider) < (rhs.hour, rhs.keyID, rhs.model, rhs.provider)
        }
    }

    /// A `routing_daily` row's identity: a day, the router and its decision's label, the alias served.
    struct RoutingRollupKey: Hashable, Comparable {
        let day: Int64
        let router: String
        let label: String
        let model: String

        static func < (lhs: RoutingRollupKey, rhs: RoutingRollupKey) -> Bool {
            (lhs.day, lhs.router, lhs.label, lhs.model) < (rhs.day, rhs.router, rhs.label, rhs.model)
        }

        /// The router and label of a ledger route (`auto strong p=0.71 t=0.62`); nil for a route
        /// that records only failover (`attempts=2`).
        static func decision(_ route: String) -> (router: String, label: String)? {
            let words = route.split(separator: " ", maxSplits: 2)
            guard let router = words.first, !router.hasPrefix("attempts=") else { return nil }
            return (String(router), words.count > 1 ? String(words[1]) : "")
        }
    }

    private struct Totals {
        var requests: Int64 = 0
        var prompt: Int64 = 0
        var completion: Int64 = 0
        var cost: Int64 = 0
        var hits: Int64 = 0
        var saved: Int64 = 0

        mutating func add(_ other: Totals) {
            requests &+= other.requests
            prompt &+= other.prompt
            completion &+= other.completion
            cost &+= other.cost
            hits &+= other.hits
            saved &+= other.saved
        }
    }

    /// Appends rows in one transaction: multi-row inserts that skip request ids already in the
    /// ledger (so a replayed spool or a retried flush meters nothing twice), then — for the rows
    /// actually inserted — the keys' charges and the hourly rollups. Keys and rollups are
    /// updated in a fixed order, so concurrent flushes of several replicas cannot deadlock.
    public func appendLedger(_ entries: [LedgerEntry]) async throws {
        guard !entries.isEmpty else { return }
        let logger = self.logger
        // A spool replayed after an outage may be large: a millisecond more per row.
        try await connector.transaction(deadline: connector.deadline + .milliseconds(entries.count)) { connection in
            var charges: [String: Int64] = [:]
            var rollups: [RollupKey: Totals] = [:]
            var routing: [RoutingRollupKey: Totals] = [:]
            var start = 0
            while start < entries.count {
                let chunk = entries[start..<min(entries.count, start + Self.ledgerChunk)]
                start += Self.ledgerChunk
                var binds = PostgresBindings(capacity: chunk.count * Self.ledgerColumnCount)
                var values: [String] = []
                values.reserveCapacity(chunk.count)
                for (index, entry) in chunk.enumerated() {
                    let base = index * Self.ledgerColumnCount
                    values.append(Self.placeholders(from: base, count: Self.ledgerColumnCount))
                    binds.append(entry.requestID)
                    binds.append(entry.keyID)
                    binds.append(entry.model)
                    binds.append(entry.provider)
                    binds.append(entry.upstreamModel)
                    binds.append(entry.route)
                    binds.append(Int64(entry.promptTokens))
                    binds.append(Int64(entry.completionTokens))
                    binds.append(Int64(entry.cachedTokens))
                    binds.append(Int64(entry.reasoningTokens))
                    binds.append(entry.estimated)
                    binds.append(entry.cost.nanos)
                    binds.append(Int32(clamping: entry.status))
                    binds.append(entry.latencyMs)
                    binds.append(entry.timeToFirstTokenMs)
                    binds.append(Int32(clamping: entry.attempts))
                    binds.append(entry.stream)
                    binds.append(entry.createdAt)
                    binds.append(entry.unpriced)
                    binds.append(entry.cacheHit)
                    binds.append(entry.saved.nanos)
                }
                let sql = """
                    INSERT INTO ledger (\(Self.ledgerColumns)) VALUES \(values.joined(separator: ","))
                    ON CONFLICT (request_id) DO NOTHING
                    RETURNING key_id, model, provider, prompt_tokens, completion_tokens, cost_nanos, created_at, route, cache_hit, saved_nanos
                    """
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                for try await (keyID, model, provider, prompt, completion, cost, createdAt, route, hit, saved) in rows.decode(
                    (String?, String, String, Int64, Int64, Int64, Int64, String?, Bool, Int64).self)
                {
                    let row = Totals(requests: 1, prompt: prompt, completion: completion, cost: cost, hits: hit ? 1 : 0, saved: saved)
                    if let decision = route.flatMap(RoutingRollupKey.decision) {
                        let key = RoutingRollupKey(
                            day: createdAt - ((createdAt % 86_400) + 86_400) % 86_400, router: decision.router, label: decision.label, model: model)
                        routing[key, default: Totals()].add(row)
                    }
                    if let keyID, cost != 0 { charges[keyID, default: 0] &+= cost }
                    let hour = createdAt - ((createdAt % 3600) + 3600) % 3600
                    rollups[RollupKey(hour: hour, keyID: keyID ?? "", model: model, provider: provider), default: Totals()].add(row)
                }
            }
            for (keyID, cost) in charges.sorted(by: { $0.key < $1.key }) {
                try await connection.query(
                    "UPDATE virtual_keys SET credits_nanos = credits_nanos - \(cost) WHERE id = \(keyID) AND credits_nanos IS NOT NULL",
                    logger: logger)
            }
            var daily: [RollupKey: Totals] = [:]
            // The same without the key: what totals over every key read (a handful of rows per hour).
            var hourlyAll: [RollupKey: Totals] = [:]
            var dailyAll: [RollupKey: Totals] = [:]
            for (key, totals) in rollups {
                let dayStart = key.hour - ((key.hour % 86_400) + 86_400) % 86_400
                daily[RollupKey(hour: dayStart, keyID: key.keyID, model: key.model, provider: key.provider), default: Totals()].add(totals)
                hourlyAll[RollupKey(hour: key.hour, keyID: "", model: key.model, provider: key.provider), default: Totals()].add(totals)
                dailyAll[RollupKey(hour: dayStart, keyID: "", model: key.model, provider: key.provider), default: Totals()].add(totals)
            }
            try await Self.upsert(rollups, into: "usage_hourly", bucket: "hour", connection: connection, logger: logger)
            try await Self.upsert(daily, into: "usage_daily", bucket: "day", connection: connection, logger: logger)
            try await Self.upsert(hourlyAll, into: "usage_hourly_all", bucket: "hour", keyed: false, connection: connection, logger: logger)
            try await Self.upsert(dailyAll, into: "usage_daily_all", bucket: "day", keyed: false, connection: connection, logger: logger)
            try await Self.upsert(routing, into: "routing_daily", columns: ["day", "router", "label", "model"], connection: connection, logger: logger) {
                key, binds in
                binds.append(key.day)
                binds.append(key.router)
                binds.append(key.label)
                binds.append(key.model)
            }
        }
    }

    public func routedUsage(from: Int64, to: Int64) async throws -> [RoutedUsage] {
        var result: [RoutedUsage] = []
        let query: PostgresQuery = """
            SELECT day, router, label, model, requests, prompt_tokens, completion_tokens, cost_nanos FROM routing_daily
            WHERE day >= \(from - ((from % 86_400) + 86_400) % 86_400) AND day < \(to) ORDER BY day, router, label, model
            """
        for row in try await connector.query(query) {
            let (day, router, label, model, requests, prompt, completion, cost) = try row.decode(
                (Int64, String, String, String, Int64, Int64, Int64, Int64).self)
            result.append(RoutedUsage(
                day: CivilDate(daysSince1970: day / 86_400).iso8601, router: router, label: label, model: model, requests: Int(clamping: requests),
                promptTokens: Int(clamping: prompt), completionTokens: Int(clamping: completion), cost: Money(nanos: cost)))
        }
        return result
    }

    public func ledger(_ query: LedgerQuery) async throws -> [LedgerEntry] {
        var binds = PostgresBindings()
        var clauses: [String] = []
        if let keyID = query.keyID {
            binds.append(keyID)
            clauses.append("key_id = $\(binds.count)")
        }
        if let model = query.model {
            binds.append(model)
            clauses.append("model = $\(binds.count)")
        }
        switch query.status {
        case .ok: clauses.append("status < 400")
        case .error: clauses.append("status >= 400")
        case .exactly(let status):
            binds.append(Int32(clamping: status))
            // `status >= 400` too for an error status: the partial index of failed rows applies.
            clauses.append(status >= 400 ? "status >= 400 AND status = $\(binds.count)" : "status = $\(binds.count)")
        case nil: break
        }
        if let cursor = query.before {
            binds.append(cursor.createdAt)
            binds.append(cursor.id)
            // `created_at <= …` first: an index range, however deep the page.
            clauses.append("created_at <= $\(binds.count - 1) AND (created_at < $\(binds.count - 1) OR request_id < $\(binds.count))")
        }
        binds.append(Int64(query.limit))
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = "SELECT \(Self.ledgerColumns) FROM ledger \(filter) ORDER BY created_at DESC, request_id DESC LIMIT $\(binds.count)"
        return try await ledgerEntries(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    public func ledgerStats(from: Int64, to: Int64, keyID: String?) async throws -> LedgerStats {
        var binds = PostgresBindings()
        binds.append(from)
        binds.append(to)
        var keyClause = ""
        if let keyID {
            binds.append(keyID)
            keyClause = " AND key_id = $3"
        }
        binds.append(Int64(LedgerStats.sampleLimit))
        // Computed where the rows are: one row comes back, not the sample.
        let sql = """
            SELECT COUNT(*)::BIGINT, (COUNT(*) FILTER (WHERE status >= 400))::BIGINT,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms)
            FROM (SELECT latency_ms, status FROM ledger WHERE created_at >= $1 AND created_at < $2\(keyClause)
                ORDER BY created_at DESC LIMIT $\(binds.count)) AS sample
            """
        for row in try await connector.query(PostgresQuery(unsafeSQL: sql, binds: binds)) {
            let (sampled, errors, p50, p95) = try row.decode((Int64, Int64, Double?, Double?).self)
            return LedgerStats(sampled: Int(clamping: sampled), errors: Int(clamping: errors), p50LatencyMs: p50, p95LatencyMs: p95)
        }
        return LedgerStats(sampled: 0, errors: 0, p50LatencyMs: nil, p95LatencyMs: nil)
    }

    /// Adds `rollups` to a rollup table whose identity is `columns` (bound by `bind`), in key
    /// order (so concurrent flushes cannot deadlock).
    private static func upsert<Key: Comparable>(
        _ rollups: [Key: Totals], into table: String, columns: [String], connection: PostgresConnection, logger: Logger,
        bind: (Key, inout PostgresBindings) -> Void
    ) async throws {
        let ordered = rollups.sorted { $0.key < $1.key }
        let width = columns.count + 6
        let identity = columns.joined(separator: ", ")
        var offset = 0
        while offset < ordered.count {
            let chunk = ordered[offset..<min(ordered.count, offset + ledgerChunk)]
            offset += ledgerChunk
            var binds = PostgresBindings(capacity: chunk.count * width)
            var values: [String] = []
            for (index, (key, totals)) in chunk.enumerated() {
                values.append(placeholders(from: index * width, count: width))
                bind(key, &binds)
                binds.append(totals.requests)
                binds.append(totals.prompt)
                binds.append(totals.completion)
                binds.append(totals.cost)
                binds.append(totals.hits)
                binds.append(totals.saved)
            }
            let sql = """
                INSERT INTO \(table) (\(identity), requests, prompt_tokens, completion_tokens, cost_nanos, cache_hits, saved_nanos)
                VALUES \(values.joined(separator: ","))
                ON CONFLICT (\(identity)) DO UPDATE SET
                    requests = \(table).requests + EXCLUDED.requests,
                    prompt_tokens = \(table).prompt_tokens + EXCLUDED.prompt_tokens,
                    completion_tokens = \(table).completion_tokens + EXCLUDED.completion_tokens,
                    cost_nanos = \(table).cost_nanos + EXCLUDED.cost_nanos,
                    cache_hits = \(table).cache_hits + EXCLUDED.cache_hits,
                    saved_nanos = \(table).saved_nanos + EXCLUDED.saved_nanos
                """
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        }
    }

    /// Adds usage rollups to `usage_hourly` or `usage_daily` (`bucket`: `hour` or `day`), or
    /// without the key to `usage_hourly_all` or `usage_daily_all`.
    private static func upsert(
        _ rollups: [RollupKey: Totals], into table: String, bucket: String, keyed: Bool = true, connection: PostgresConnection, logger: Logger
    ) async throws {
        let columns = keyed ? [bucket, "key_id", "model", "provider"] : [bucket, "model", "provider"]
        try await upsert(rollups, into: table, columns: columns, connection: connection, logger: logger) { key, binds in
            binds.append(key.hour)
            if keyed { binds.append(key.keyID) }
            binds.append(key.model)
            binds.append(key.provider)
        }
    }

    public func usage(_ query: UsageQuery) async throws -> [UsageTotals] {
        let groupBy = query.groupBy
        // Grouping by day groups by the day's start (an integer: cheap), formatted here.
        let (dailyGroup, hourlyGroup, ledgerGroup) = switch groupBy {
        case .day: ("day::TEXT", "(hour - hour % 86400)::TEXT", "(created_at - created_at % 86400)::TEXT")
        case .model: ("model", "model", "model")
        case .key: ("key_id", "key_id", "COALESCE(key_id, '')")
        case .provider: ("provider", "provider", "provider")
        }
        let split = UsageRangeSplit(from: query.from, to: query.to)
        var binds = PostgresBindings()
        var keyClause = ""
        if let keyID = query.keyID {
            binds.append(keyID)
            keyClause = "key_id = $1 AND "
        }
        // Totals over every key, not grouped by key, read the key-less rollups (far fewer rows).
        let suffix = query.keyID == nil && groupBy != .key ? "_all" : ""
        let dayClause = Self.within("day", split.days.isEmpty ? [] : [split.days], &binds)
        let hourClause = Self.within("hour", split.hours, &binds)
        let rawClause = Self.within("created_at", split.raw, &binds)
        let sql = """
            SELECT grp, SUM(requests)::BIGINT, SUM(prompt)::BIGINT, SUM(completion)::BIGINT, SUM(cost)::BIGINT, SUM(hits)::BIGINT,
                SUM(saved)::BIGINT FROM (
                SELECT \(dailyGroup) AS grp, requests, prompt_tokens AS prompt, completion_tokens AS completion, cost_nanos AS cost,
                    cache_hits AS hits, saved_nanos AS saved
                FROM usage_daily\(suffix) WHERE \(keyClause)(\(dayClause))
                UNION ALL
                SELECT \(hourlyGroup), requests, prompt_tokens, completion_tokens, cost_nanos, cache_hits, saved_nanos FROM usage_hourly\(suffix)
                WHERE \(keyClause)(\(hourClause))
                UNION ALL
                SELECT \(ledgerGroup), 1, prompt_tokens, completion_tokens, cost_nanos, CASE WHEN cache_hit THEN 1 ELSE 0 END, saved_nanos
                FROM ledger WHERE \(keyClause)(\(rawClause))
            ) AS rows GROUP BY grp
            """
        var totals: [UsageTotals] = []
        for row in try await connector.query(PostgresQuery(unsafeSQL: sql, binds: binds)) {
            let (group, requests, prompt, completion, cost, hits, saved) = try row.decode((String, Int64, Int64, Int64, Int64, Int64, Int64).self)
            totals.append(UsageTotals(
                group: Self.label(group, groupBy), requests: Int(clamping: requests), promptTokens: Int(clamping: prompt),
                completionTokens: Int(clamping: completion), cost: Money(nanos: cost), cacheHits: Int(clamping: hits), saved: Money(nanos: saved)))
        }
        return totals.sorted { $0.group < $1.group }
    }

    /// `column` in any of `ranges` (`false` for none), their bounds appended to `binds`.
    static func within(_ column: String, _ ranges: [Range<Int64>], _ binds: inout PostgresBindings) -> String {
        let clauses = ranges.map { range -> String in
            binds.append(range.lowerBound)
            binds.append(range.upperBound)
            return "(\(column) >= $\(binds.count - 1) AND \(column) < $\(binds.count))"
        }
        return clauses.isEmpty ? "false" : clauses.joined(separator: " OR ")
    }

    /// `($n+1,…,$n+count)`: one row's parameters in a multi-row VALUES list.
    static func placeholders(from base: Int, count: Int) -> String {
        "(" + (1...count).map { "$\(base + $0)" }.joined(separator: ",") + ")"
    }

    /// The group as the other stores name it: `YYYY-MM-DD` for a day, `-` for rows without a key.
    static func label(_ group: String, _ grouping: UsageGrouping) -> String {
        switch grouping {
        case .day:
            guard let start = Int64(group) else { return group }
            return CivilDate(daysSince1970: start / 86_400).iso8601
        case .model, .provider: return group
        case .key: return group.isEmpty ? "-" : group
        }
    }

    public func spend(keyID: String, since: Int64) async throws -> Money {
        let split = UsageRangeSplit(from: since, to: nil)
        var binds = PostgresBindings()
        binds.append(keyID)
        let dayClause = Self.within("day", split.days.isEmpty ? [] : [split.days], &binds)
        let hourClause = Self.within("hour", split.hours, &binds)
        let rawClause = Self.within("created_at", split.raw, &binds)
        let sql = """
            SELECT (COALESCE((SELECT SUM(cost_nanos) FROM usage_daily WHERE key_id = $1 AND (\(dayClause))), 0)
                + COALESCE((SELECT SUM(cost_nanos) FROM usage_hourly WHERE key_id = $1 AND (\(hourClause))), 0)
                + COALESCE((SELECT SUM(cost_nanos) FROM ledger WHERE key_id = $1 AND (\(rawClause))), 0))::BIGINT
            """
        let total = try await connector.query(PostgresQuery(unsafeSQL: sql, binds: binds)).first?.decode(Int64.self)
        return Money(nanos: total ?? 0)
    }

    public func ledgerEntries(requestID: String) async throws -> [LedgerEntry] {
        try await ledgerEntries(PostgresQuery(unsafeSQL: "SELECT \(Self.ledgerColumns) FROM ledger WHERE request_id = $1", binds: Self.binds(requestID)))
    }

    private func ledgerEntries(_ query: PostgresQuery) async throws -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        for row in try await connector.query(query) {
            let row = row.makeRandomAccess()
            entries.append(LedgerEntry(
                requestID: try row["request_id"].decode(String.self), keyID: try row["key_id"].decode(String?.self),
                model: try row["model"].decode(String.self), provider: try row["provider"].decode(String.self),
                upstreamModel: try row["upstream_model"].decode(String.self), route: try row["route"].decode(String?.self),
                promptTokens: Int(clamping: try row["prompt_tokens"].decode(Int64.self)),
                completionTokens: Int(clamping: try row["completion_tokens"].decode(Int64.self)),
                cachedTokens: Int(clamping: try row["cached_tokens"].decode(Int64.self)),
                reasoningTokens: Int(clamping: try row["reasoning_tokens"].decode(Int64.self)), estimated: try row["estimated"].decode(Bool.self),
                cost: Money(nanos: try row["cost_nanos"].decode(Int64.self)), status: Int(try row["status"].decode(Int32.self)),
                latencyMs: try row["latency_ms"].decode(Double.self), timeToFirstTokenMs: try row["ttft_ms"].decode(Double?.self),
                attempts: Int(try row["attempts"].decode(Int32.self)), stream: try row["stream"].decode(Bool.self),
                createdAt: try row["created_at"].decode(Int64.self), unpriced: try row["unpriced"].decode(Bool.self),
                cacheHit: try row["cache_hit"].decode(Bool.self), saved: Money(nanos: try row["saved_nanos"].decode(Int64.self))))
        }
        return entries
    }

    public func purgeLedger(createdBefore time: Int64) async throws -> Int {
        try await connector.query("DELETE FROM ledger WHERE created_at < \(time) RETURNING 1", deadline: .seconds(300)).count
    }
}
