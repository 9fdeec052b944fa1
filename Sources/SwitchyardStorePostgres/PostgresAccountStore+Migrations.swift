import PostgresNIO

extension PostgresAccountStore {
    /// Schema versions in order; each applies once, recorded in `switchyard_migrations`.
    static let migrations: [(version: String, statements: [String])] = [
        ("v1-keys", [
            """
            CREATE TABLE virtual_keys (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT, key_hash TEXT NOT NULL UNIQUE, key_prefix TEXT NOT NULL,
                created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT, models TEXT NOT NULL, rpm BIGINT, tpm BIGINT,
                max_parallel BIGINT, credits_nanos BIGINT, metadata TEXT NOT NULL, budget_nanos BIGINT, budget_period TEXT
            )
            """
        ]),
        ("v2-ledger", [
            """
            CREATE TABLE ledger (
                request_id TEXT PRIMARY KEY, key_id TEXT, model TEXT NOT NULL, provider TEXT NOT NULL, upstream_model TEXT NOT NULL,
                route TEXT, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL, estimated BOOLEAN NOT NULL, cost_nanos BIGINT NOT NULL, status INTEGER NOT NULL,
                latency_ms DOUBLE PRECISION NOT NULL, ttft_ms DOUBLE PRECISION, attempts INTEGER NOT NULL, stream BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX ledger_created ON ledger (created_at)",
            "CREATE INDEX ledger_key ON ledger (key_id, created_at)",
            // Rollups: one row per hour × key × model × provider ('' for rows without a key).
            """
            CREATE TABLE usage_hourly (
                hour BIGINT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL,
                requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cost_nanos BIGINT NOT NULL,
                PRIMARY KEY (hour, key_id, model, provider)
            )
            """,
            "CREATE INDEX usage_hourly_key ON usage_hourly (key_id, hour)",
            // Days for long ranges; the hourly rollups and raw rows fill in a range's edges.
            """
            CREATE TABLE usage_daily (
                day BIGINT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL,
                requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cost_nanos BIGINT NOT NULL,
                PRIMARY KEY (day, key_id, model, provider)
            )
            """,
            "CREATE INDEX usage_daily_key ON usage_daily (key_id, day)",
        ]),
        ("v3-feedback", [
            """
            CREATE TABLE route_feedback (
                request_id TEXT PRIMARY KEY, router TEXT NOT NULL, label TEXT NOT NULL, alias TEXT NOT NULL, outcome DOUBLE PRECISION NOT NULL,
                preferred_model TEXT, embedding BYTEA, key_id TEXT, created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX route_feedback_router ON route_feedback (router, created_at)",
        ]),
        ("v4-responses", [
            """
            CREATE TABLE stored_responses (
                id TEXT NOT NULL, owner TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, upstream_stored BOOLEAN NOT NULL,
                response BYTEA NOT NULL, input_items BYTEA NOT NULL, output_items BYTEA NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (id, owner)
            )
            """,
            "CREATE INDEX stored_responses_created ON stored_responses (created_at)",
        ]),
        ("v5-dashboard", [
            """
            CREATE TABLE dashboard_sessions (
                token_hash TEXT PRIMARY KEY, key_id TEXT, csrf_token TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at)",
            "CREATE INDEX virtual_keys_created ON virtual_keys (created_at DESC, id)",
            "ALTER TABLE virtual_keys ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0",
            "UPDATE virtual_keys SET updated_at = created_at",
            "CREATE INDEX virtual_keys_updated ON virtual_keys (updated_at)",
            // The logs' filters: by alias, and failed requests only (a partial index: errors are few).
            "CREATE INDEX ledger_model ON ledger (model, created_at)",
            "CREATE INDEX ledger_failed ON ledger (created_at) WHERE status >= 400",
            // Usage over every key (the dashboard's totals, usage by day, model or provider) without reading every key's rows.
            """
            CREATE TABLE usage_hourly_all (
                hour BIGINT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL, cost_nanos BIGINT NOT NULL, PRIMARY KEY (hour, model, provider)
            )
            """,
            """
            CREATE TABLE usage_daily_all (
                day BIGINT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL, cost_nanos BIGINT NOT NULL, PRIMARY KEY (day, model, provider)
            )
            """,
            // Rows written before this migration, once.
            """
            INSERT INTO usage_hourly_all SELECT hour, model, provider, SUM(requests), SUM(prompt_tokens), SUM(completion_tokens),
                SUM(cost_nanos) FROM usage_hourly GROUP BY 1, 2, 3
            """,
            """
            INSERT INTO usage_daily_all SELECT day, model, provider, SUM(requests), SUM(prompt_tokens), SUM(completion_tokens),
                SUM(cost_nanos) FROM usage_daily GROUP BY 1, 2, 3
            """,
            // Key search: by the beginning of a name (case-insensitive) or of the key prefix.
            "CREATE INDEX virtual_keys_name ON virtual_keys (lower(name) text_pattern_ops)",
            "CREATE INDEX virtual_keys_prefix ON virtual_keys (key_prefix text_pattern_ops)",
            // Routed requests per day × router × decision × alias: savings and strong shares without the raw ledger.
            """
            CREATE TABLE routing_daily (
                day BIGINT NOT NULL, router TEXT NOT NULL, label TEXT NOT NULL, model TEXT NOT NULL,
                requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cost_nanos BIGINT NOT NULL,
                PRIMARY KEY (day, router, label, model)
            )
            """,
        ]),
        ("v7-ledger-marks", [
            "ALTER TABLE ledger ADD COLUMN unpriced BOOLEAN NOT NULL DEFAULT false",
            "ALTER TABLE ledger ADD COLUMN cache_hit BOOLEAN NOT NULL DEFAULT false",
        ]),
        // What cache hits saved their callers, in the ledger and every rollup.
        ("v8-ledger-saved", ["ledger", "usage_hourly", "usage_daily", "usage_hourly_all", "usage_daily_all", "routing_daily"].flatMap { table in
            (table == "ledger" ? [] : ["ALTER TABLE \(table) ADD COLUMN cache_hits BIGINT NOT NULL DEFAULT 0"])
                + ["ALTER TABLE \(table) ADD COLUMN saved_nanos BIGINT NOT NULL DEFAULT 0"]
        }),
    ]

    /// Any constant shared by every replica: the advisory lock migrations hold.
    static let migrationLock: Int64 = 0x5377_6974_6368

    /// Applies the migrations not yet applied, in one transaction under an advisory lock, so
    /// replicas starting together wait for each other instead of racing.
    public func migrate() async throws {
        let logger = self.logger
        try await connector.transaction(deadline: .seconds(120)) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS switchyard_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: logger)
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM switchyard_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO switchyard_migrations (version, applied_at) VALUES (\(migration.version), EXTRACT(EPOCH FROM now())::BIGINT)",
                    logger: logger)
            }
        }
    }
}
