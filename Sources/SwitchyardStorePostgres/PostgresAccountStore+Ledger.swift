import PostgresNIO
public import SwitchyardAccounts

extension PostgresAccountStore {
    static let ledgerColumns = """
        request_id, key_id, model, provider, upstream_model, route, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, \
        estimated, cost_nanos, status, latency_ms, ttft_ms, attempts, stream, created_at
        """
    static let ledgerColumnCount = 18
    /// Rows per INSERT (PostgreSQL allows 65 535 parameters per statement).
    static let ledgerChunk = 1000

    private struct RollupKey: Hashable, Comparable {
        let hour: Int64
        let keyID: String
        let model: String
        let provider: String

        static func < (lhs: RollupKey, rhs: RollupKey) -> Bool {
            (lhs.hour, lhs.keyID, lhs.model, lhs.provider) < (rhs.hour, rhs.keyID, rhs.model, rhs.provider)
        }
    }

    private struct Totals {
        var requests: Int64 = 0
        var prompt: Int64 = 0
        var completion: Int64 = 0
        var cost: Int64 = 0
    }

    /// Appends rows in one transaction: multi-row inserts that skip request ids already in the
    /// ledger (so a replayed spool or a retried flush meters nothing twice), then — for the rows
    /// actually inserted — the keys' charges and the hourly rollups. Keys and rollups are
    /// updated in a fixed order, so concurrent flushes of several replicas cannot deadlock.
    public func appendLedger(_ entries: [LedgerEntry]) async throws {
        guard !entries.isEmpty else { return }
        let logger = self.logger
        try await client.withTransaction(logger: logger) { connection in
            var charges: [String: Int64] = [:]
            var rollups: [RollupKey: Totals] = [:]
            var start = 0
            while start < entries.count {
                let chunk = entries[start..<min(entries.count, start + Self.ledgerChunk)]
                start += Self.ledgerChunk
                var binds = PostgresBindings(capacity: chunk.count * Self.ledgerColumnCount)
                var values: [String] = []
                values.reserveCapacity(chunk.count)
                for (index, entry) in chunk.enumerated() {
                    let base = index * Self.ledgerColumnCount
                    values.append("(" + (1...Self.ledgerColumnCount).map { "$\(base + $0)" }.joined(separator: ",") + ")")
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
                }
                let sql = """
                    INSERT INTO ledger (\(Self.ledgerColumns)) VALUES \(values.joined(separator: ","))
                    ON CONFLICT (request_id) DO NOTHING
                    RETURNING key_id, model, provider, prompt_tokens, completion_tokens, cost_nanos, created_at
                    """
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                for try await (keyID, model, provider, prompt, completion, cost, createdAt) in rows.decode(
                    (String?, String, String, Int64, Int64, Int64, Int64).self)
                {
                    if let keyID, cost != 0 { charges[keyID, default: 0] &+= cost }
                    let hour = createdAt - ((createdAt % 3600) + 3600) % 3600
                    let key = RollupKey(hour: hour, keyID: keyID ?? "", model: model, provider: provider)
                    rollups[key, default: Totals()].requests += 1
                    rollups[key, default: Totals()].prompt &+= prompt
                    rollups[key, default: Totals()].completion &+= completion
                    rollups[key, default: Totals()].cost &+= cost
                }
            }
            for (keyID, cost) in charges.sorted(by: { $0.key < $1.key }) {
                try await connection.query(
                    "UPDATE virtual_keys SET credits_nanos = credits_nanos - \(cost) WHERE id = \(keyID) AND credits_nanos IS NOT NULL",
                    logger: logger)
            }
            let ordered = rollups.sorted { $0.key < $1.key }
            var offset = 0
            while offset < ordered.count {
                let chunk = ordered[offset..<min(ordered.count, offset + Self.ledgerChunk)]
                offset += Self.ledgerChunk
                var binds = PostgresBindings(capacity: chunk.count * 8)
                var values: [String] = []
                for (index, (key, totals)) in chunk.enumerated() {
                    let base = index * 8
                    values.append("(" + (1...8).map { "$\(base + $0)" }.joined(separator: ",") + ")")
                    binds.append(key.hour)
                    binds.append(key.keyID)
                    binds.append(key.model)
                    binds.append(key.provider)
                    binds.append(totals.requests)
                    binds.append(totals.prompt)
                    binds.append(totals.completion)
                    binds.append(totals.cost)
                }
                let sql = """
                    INSERT INTO usage_hourly (hour, key_id, model, provider, requests, prompt_tokens, completion_tokens, cost_nanos)
                    VALUES \(values.joined(separator: ","))
                    ON CONFLICT (hour, key_id, model, provider) DO UPDATE SET
                        requests = usage_hourly.requests + EXCLUDED.requests,
                        prompt_tokens = usage_hourly.prompt_tokens + EXCLUDED.prompt_tokens,
                        completion_tokens = usage_hourly.completion_tokens + EXCLUDED.completion_tokens,
                        cost_nanos = usage_hourly.cost_nanos + EXCLUDED.cost_nanos
                    """
                try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            }
        }
    }

    /// A time range split for rollups: whole hours from `usage_hourly`, the partial hours at its
    /// edges from the raw ledger.
    struct HourSplit: Equatable {
        var hours: Range<Int64>
        var edges: [Range<Int64>]

        init(from: Int64?, to: Int64?) {
            // Ledger times are seconds since 1970: clamp the open ends to a generous span.
            let lower = max(from ?? 0, 0)
            let upper = min(to ?? 100_000_000_000, 100_000_000_000)
            guard lower < upper else {
                hours = 0..<0
                edges = []
                return
            }
            let firstHour = (lower + 3599) / 3600 * 3600
            let lastHour = upper / 3600 * 3600
            if firstHour < lastHour {
                hours = firstHour..<lastHour
                edges = [lower..<firstHour, lastHour..<upper].filter { !$0.isEmpty }
            } else {
                hours = 0..<0
                edges = [lower..<upper]
            }
        }
    }

    public func usage(groupBy: UsageGrouping, from: Int64?, to: Int64?) async throws -> [UsageTotals] {
        let (rollupGroup, ledgerGroup) = switch groupBy {
        case .day:
            ("to_char(to_timestamp(hour) AT TIME ZONE 'UTC', 'YYYY-MM-DD')", "to_char(to_timestamp(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
        case .model: ("model", "model")
        case .key: ("COALESCE(NULLIF(key_id, ''), '-')", "COALESCE(key_id, '-')")
        }
        let split = HourSplit(from: from, to: to)
        var binds = PostgresBindings()
        binds.append(split.hours.lowerBound)
        binds.append(split.hours.upperBound)
        var edgeClauses: [String] = []
        for edge in split.edges {
            edgeClauses.append("(created_at >= $\(binds.count + 1) AND created_at < $\(binds.count + 2))")
            binds.append(edge.lowerBound)
            binds.append(edge.upperBound)
        }
        let sql = """
            SELECT grp, SUM(requests)::BIGINT, SUM(prompt)::BIGINT, SUM(completion)::BIGINT, SUM(cost)::BIGINT FROM (
                SELECT \(rollupGroup) AS grp, requests, prompt_tokens AS prompt, completion_tokens AS completion, cost_nanos AS cost
                FROM usage_hourly WHERE hour >= $1 AND hour < $2
                UNION ALL
                SELECT \(ledgerGroup), 1, prompt_tokens, completion_tokens, cost_nanos FROM ledger
                WHERE \(edgeClauses.isEmpty ? "false" : edgeClauses.joined(separator: " OR "))
            ) AS rows GROUP BY grp ORDER BY grp
            """
        var totals: [UsageTotals] = []
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await (group, requests, prompt, completion, cost) in rows.decode((String, Int64, Int64, Int64, Int64).self) {
            totals.append(UsageTotals(
                group: group, requests: Int(clamping: requests), promptTokens: Int(clamping: prompt), completionTokens: Int(clamping: completion),
                cost: Money(nanos: cost)))
        }
        return totals
    }

    public func spend(keyID: String, since: Int64) async throws -> Money {
        let firstHour = (max(since, 0) + 3599) / 3600 * 3600
        let query: PostgresQuery = """
            SELECT (COALESCE((SELECT SUM(cost_nanos) FROM usage_hourly WHERE key_id = \(keyID) AND hour >= \(firstHour)), 0)
                + COALESCE((SELECT SUM(cost_nanos) FROM ledger WHERE key_id = \(keyID) AND created_at >= \(since) AND created_at < \(firstHour)), 0))::BIGINT
            """
        for try await total in try await client.query(query, logger: logger).decode(Int64.self) {
            return Money(nanos: total)
        }
        return .zero
    }

    public func ledgerEntries(requestID: String) async throws -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        let query = PostgresQuery(unsafeSQL: "SELECT \(Self.ledgerColumns) FROM ledger WHERE request_id = $1", binds: Self.binds(requestID))
        for try await row in try await client.query(query, logger: logger) {
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
                createdAt: try row["created_at"].decode(Int64.self)))
        }
        return entries
    }

    public func purgeLedger(createdBefore time: Int64) async throws -> Int {
        var count = 0
        for try await _ in try await client.query("DELETE FROM ledger WHERE created_at < \(time) RETURNING 1", logger: logger) { count += 1 }
        return count
    }
}
