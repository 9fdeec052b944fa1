import Foundation
import Logging
import NIOCore
import PostgresNIO
public import SwitchyardAccounts

/// `AccountStore` on PostgreSQL through postgres-nio, for fleets: every replica shares it.
///
/// The ledger is written in batches (multi-row inserts, one transaction per flush) and keeps
/// hourly rollups per key × model × provider as rows are written, so usage and spend queries read
/// rollups for whole hours and the raw ledger only for the partial hours at a range's edges.
/// Migrations run at start-up under an advisory lock: replicas starting together are safe.
public final class PostgresAccountStore: AccountStore {
    let connector: PostgresConnector
    let logger: Logger

    /// Connects lazily to the server a `postgres://user:password@host:port/database` URL names
    /// (`?sslmode=require` for TLS). Each call has `deadline` to complete (migrations longer);
    /// the connection pool runs until `shutdown()`.
    public init(url: String, deadline: Duration = .seconds(5), logger: Logger = Logger(label: "switchyard.postgres")) throws {
        connector = PostgresConnector(configuration: try Self.configuration(url: url), logger: logger, deadline: deadline)
        self.logger = logger
    }

    /// Stops the connection pool.
    public func shutdown() {
        connector.shutdown()
    }

    /// Whether `url` names a PostgreSQL store.
    public static func handles(url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    static func configuration(url: String) throws -> PostgresClient.Configuration {
        guard handles(url: url), let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw AccountStoreError("storage.url: expected postgres://user:password@host:port/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS = switch mode {
        case "require", "verify-ca", "verify-full": .require(.makeClientConfiguration())
        case "prefer": .prefer(.makeClientConfiguration())
        default: .disable
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 10
        return configuration
    }

    // MARK: - Keys

    static let keyColumns = """
        id, name, owner, key_hash, key_prefix, created_at, expires_at, revoked_at, models, rpm, tpm, max_parallel, credits_nanos, \
        metadata, budget_nanos, budget_period
        """

    public func insert(_ key: VirtualKey) async throws {
        do {
            _ = try await connector.query("""
                INSERT INTO virtual_keys (id, name, owner, key_hash, key_prefix, created_at, expires_at, revoked_at, models, rpm, tpm,
                    max_parallel, credits_nanos, metadata, budget_nanos, budget_period, updated_at)
                VALUES (\(key.id), \(key.name), \(key.owner), \(key.keyHash), \(key.keyPrefix), \(key.createdAt), \(key.expiresAt),
                    \(key.revokedAt), \(Self.encode(key.models)), \(key.rpm.map(Int64.init)), \(key.tpm.map(Int64.init)),
                    \(key.maxParallel.map(Int64.init)), \(key.credits?.nanos), \(Self.encode(key.metadata)), \(key.budget?.amount.nanos),
                    \(key.budget?.period.rawValue), \(Self.now))
                """)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw AccountStoreError("a key with this id or hash already exists")
        }
    }

    public func update(_ key: VirtualKey) async throws {
        _ = try await connector.query("""
            UPDATE virtual_keys SET name = \(key.name), owner = \(key.owner), key_hash = \(key.keyHash), key_prefix = \(key.keyPrefix),
                created_at = \(key.createdAt), expires_at = \(key.expiresAt), revoked_at = \(key.revokedAt), models = \(Self.encode(key.models)),
                rpm = \(key.rpm.map(Int64.init)), tpm = \(key.tpm.map(Int64.init)), max_parallel = \(key.maxParallel.map(Int64.init)),
                credits_nanos = \(key.credits?.nanos), metadata = \(Self.encode(key.metadata)), budget_nanos = \(key.budget?.amount.nanos),
                budget_period = \(key.budget?.period.rawValue), updated_at = \(Self.now)
            WHERE id = \(key.id)
            """)
    }

    public func key(id: String) async throws -> VirtualKey? {
        try await keys(PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM virtual_keys WHERE id = $1", binds: Self.binds(id))).first
    }

    public func key(hash: String) async throws -> VirtualKey? {
        try await keys(PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM virtual_keys WHERE key_hash = $1", binds: Self.binds(hash))).first
    }

    public func keys() async throws -> [VirtualKey] {
        try await keys(PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM virtual_keys ORDER BY created_at DESC, id"))
    }

    public func keys(_ query: KeyQuery) async throws -> [VirtualKey] {
        var binds = PostgresBindings()
        var clauses: [String] = []
        if let search = query.search, !search.isEmpty {
            let escaped = search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            binds.append(escaped.lowercased() + "%")
            binds.append(search)
            binds.append(escaped + "%")
            let n = binds.count
            // Each alternative has an index (lower(name) and key_prefix with text_pattern_ops, the primary key).
            clauses.append("(lower(name) LIKE $\(n - 2) OR id = $\(n - 1) OR key_prefix LIKE $\(n))")
        }
        if let cursor = query.before {
            binds.append(cursor.createdAt)
            binds.append(cursor.id)
            let n = binds.count
            clauses.append("created_at <= $\(n - 1) AND (created_at < $\(n - 1) OR id > $\(n))")
        }
        binds.append(Int64(query.limit))
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try await keys(PostgresQuery(
            unsafeSQL: "SELECT \(Self.keyColumns) FROM virtual_keys \(filter) ORDER BY created_at DESC, id LIMIT $\(binds.count)", binds: binds))
    }

    public func keys(changedSince time: Int64) async throws -> [VirtualKey] {
        var binds = PostgresBindings()
        binds.append(time)
        return try await keys(PostgresQuery(unsafeSQL: "SELECT \(Self.keyColumns) FROM virtual_keys WHERE updated_at >= $1", binds: binds))
    }

    /// When a key row is written (seconds since 1970).
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    private func keys(_ query: PostgresQuery) async throws -> [VirtualKey] {
        var keys: [VirtualKey] = []
        for row in try await connector.query(query) {
            let row = row.makeRandomAccess()
            var budget: Budget?
            if let nanos = try row["budget_nanos"].decode(Int64?.self), let period = try row["budget_period"].decode(String?.self).flatMap(Budget.Period.init) {
                budget = Budget(amount: Money(nanos: nanos), period: period)
            }
            keys.append(VirtualKey(
                id: try row["id"].decode(String.self), name: try row["name"].decode(String.self), owner: try row["owner"].decode(String?.self),
                keyHash: try row["key_hash"].decode(String.self), keyPrefix: try row["key_prefix"].decode(String.self),
                createdAt: try row["created_at"].decode(Int64.self), expiresAt: try row["expires_at"].decode(Int64?.self),
                revokedAt: try row["revoked_at"].decode(Int64?.self), models: Self.decode(try row["models"].decode(String.self)) ?? [],
                rpm: try row["rpm"].decode(Int64?.self).map(Self.int), tpm: try row["tpm"].decode(Int64?.self).map(Self.int),
                maxParallel: try row["max_parallel"].decode(Int64?.self).map(Self.int),
                credits: try row["credits_nanos"].decode(Int64?.self).map(Money.init(nanos:)), budget: budget,
                metadata: Self.decode(try row["metadata"].decode(String.self)) ?? [:]))
        }
        return keys
    }

    public func revoke(id: String, at time: Int64) async throws -> Bool {
        !(try await connector.query(
            "UPDATE virtual_keys SET revoked_at = COALESCE(revoked_at, \(time)), updated_at = \(Self.now) WHERE id = \(id) RETURNING id")).isEmpty
    }

    public func addCredits(id: String, amount: Money) async throws -> Money? {
        let logger = self.logger
        return try await connector.transaction { connection -> Money? in
            var current: Int64?
            var found = false
            for try await (credits) in try await connection.query(
                "SELECT credits_nanos FROM virtual_keys WHERE id = \(id) FOR UPDATE", logger: logger
            ).decode(Int64?.self) {
                current = credits
                found = true
            }
            guard found else { return nil }
            guard let balance = Money(nanos: current ?? 0).adding(amount), abs(balance.nanos) <= Money.maxBalance.nanos else {
                throw AccountStoreError("The balance would leave the range a key can hold (±\(Money.maxBalance) USD).")
            }
            try await connection.query(
                "UPDATE virtual_keys SET credits_nanos = \(balance.nanos), updated_at = \(Self.now) WHERE id = \(id)", logger: logger)
            return balance
        }
    }

    // MARK: - Feedback

    public func recordFeedback(_ feedback: RouteFeedback) async throws {
        let embedding = feedback.embedding.map { vector in vector.withUnsafeBufferPointer { Data(buffer: $0) } }
        _ = try await connector.query("""
            INSERT INTO route_feedback (request_id, router, label, alias, outcome, preferred_model, embedding, key_id, created_at)
            VALUES (\(feedback.requestID), \(feedback.router), \(feedback.label), \(feedback.alias), \(feedback.outcome),
                \(feedback.preferredModel), \(embedding), \(feedback.keyID), \(feedback.createdAt))
            ON CONFLICT (request_id) DO UPDATE SET router = EXCLUDED.router, label = EXCLUDED.label, alias = EXCLUDED.alias,
                outcome = EXCLUDED.outcome, preferred_model = EXCLUDED.preferred_model, embedding = EXCLUDED.embedding,
                key_id = EXCLUDED.key_id, created_at = EXCLUDED.created_at
            """)
    }

    public func feedback(router: String) async throws -> [RouteFeedback] {
        var rows: [RouteFeedback] = []
        let query: PostgresQuery = """
            SELECT request_id, router, label, alias, outcome, preferred_model, embedding, key_id, created_at FROM route_feedback
            WHERE router = \(router) ORDER BY created_at, request_id
            """
        for row in try await connector.query(query) {
            let row = row.makeRandomAccess()
            let embedding = try row["embedding"].decode(Data?.self).map { data in
                data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
            }
            rows.append(RouteFeedback(
                requestID: try row["request_id"].decode(String.self), router: try row["router"].decode(String.self),
                label: try row["label"].decode(String.self), alias: try row["alias"].decode(String.self), outcome: try row["outcome"].decode(Double.self),
                preferredModel: try row["preferred_model"].decode(String?.self), embedding: embedding, keyID: try row["key_id"].decode(String?.self),
                createdAt: try row["created_at"].decode(Int64.self)))
        }
        return rows
    }

    public func feedbackCount(router: String) async throws -> Int {
        let count = try await connector.query("SELECT COUNT(*)::BIGINT FROM route_feedback WHERE router = \(router)").first?.decode(Int64.self)
        return Int(clamping: count ?? 0)
    }

    // MARK: - Stored responses

    public func saveResponse(_ response: StoredResponse) async throws {
        _ = try await connector.query("""
            INSERT INTO stored_responses (id, owner, model, provider, upstream_stored, response, input_items, output_items, created_at)
            VALUES (\(response.id), \(response.owner), \(response.model), \(response.provider), \(response.upstreamStored),
                \(Data(response.response)), \(Data(response.inputItems)), \(Data(response.outputItems)), \(response.createdAt))
            ON CONFLICT (id, owner) DO UPDATE SET model = EXCLUDED.model, provider = EXCLUDED.provider,
                upstream_stored = EXCLUDED.upstream_stored, response = EXCLUDED.response, input_items = EXCLUDED.input_items,
                output_items = EXCLUDED.output_items, created_at = EXCLUDED.created_at
            """)
    }

    public func response(id: String, owner: String) async throws -> StoredResponse? {
        let query: PostgresQuery = """
            SELECT id, owner, model, provider, upstream_stored, response, input_items, output_items, created_at FROM stored_responses
            WHERE id = \(id) AND owner = \(owner)
            """
        for row in try await connector.query(query) {
            let row = row.makeRandomAccess()
            return StoredResponse(
                id: try row["id"].decode(String.self), owner: try row["owner"].decode(String.self), model: try row["model"].decode(String.self),
                provider: try row["provider"].decode(String.self), upstreamStored: try row["upstream_stored"].decode(Bool.self),
                response: Array(try row["response"].decode(Data.self)), inputItems: Array(try row["input_items"].decode(Data.self)),
                outputItems: Array(try row["output_items"].decode(Data.self)), createdAt: try row["created_at"].decode(Int64.self))
        }
        return nil
    }

    public func deleteResponse(id: String, owner: String) async throws -> Bool {
        !(try await connector.query("DELETE FROM stored_responses WHERE id = \(id) AND owner = \(owner) RETURNING id")).isEmpty
    }

    public func purgeResponses(createdBefore time: Int64) async throws -> Int {
        try await connector.query("DELETE FROM stored_responses WHERE created_at < \(time) RETURNING id", deadline: .seconds(60)).count
    }

    // MARK: - Dashboard sessions

    public func saveSession(_ session: DashboardSession) async throws {
        _ = try await connector.query("""
            INSERT INTO dashboard_sessions (token_hash, key_id, csrf_token, created_at, expires_at)
            VALUES (\(session.tokenHash), \(session.keyID), \(session.csrfToken), \(session.createdAt), \(session.expiresAt))
            ON CONFLICT (token_hash) DO UPDATE SET key_id = EXCLUDED.key_id, csrf_token = EXCLUDED.csrf_token,
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            """)
    }

    public func session(tokenHash: String, now: Int64) async throws -> DashboardSession? {
        let query: PostgresQuery = """
            SELECT token_hash, key_id, csrf_token, created_at, expires_at FROM dashboard_sessions
            WHERE token_hash = \(tokenHash) AND expires_at > \(now)
            """
        for row in try await connector.query(query) {
            let (hash, keyID, csrf, created, expires) = try row.decode((String, String?, String, Int64, Int64).self)
            return DashboardSession(tokenHash: hash, keyID: keyID, csrfToken: csrf, createdAt: created, expiresAt: expires)
        }
        return nil
    }

    public func deleteSession(tokenHash: String) async throws {
        _ = try await connector.query("DELETE FROM dashboard_sessions WHERE token_hash = \(tokenHash)")
    }

    public func purgeSessions(expiredBefore time: Int64) async throws -> Int {
        try await connector.query("DELETE FROM dashboard_sessions WHERE expires_at < \(time) RETURNING 1", deadline: .seconds(60)).count
    }

    // MARK: - Helpers

    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }

    /// A limit column as `Int`, clamped (the store never holds more than `VirtualKey.maxLimit`).
    static func int(_ value: Int64) -> Int { Int(clamping: value) }

    static func encode<T: Encodable>(_ value: T) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decode<T: Decodable>(_ text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
