import Foundation
import GRDB
public import SwitchyardAccounts

/// `AccountStore` on SQLite through GRDB: a WAL-mode file (or an in-memory database for tests).
public final class SQLiteAccountStore: AccountStore {
    private let database: any DatabaseWriter

    /// Opens (creating) the database at `path`, or an in-memory one for `":memory:"`.
    public init(path: String) throws {
        if path == ":memory:" {
            database = try DatabaseQueue()
        } else {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            database = try DatabasePool(path: path, configuration: configuration)
        }
    }

    /// The file path for a `sqlite://` storage URL: relative paths resolve against the working
    /// directory (so the CLI run there with the same config reads the same store).
    public static func path(fromURL url: String) -> String? {
        guard url.hasPrefix("sqlite://") else { return nil }
        let rest = String(url.dropFirst("sqlite://".count))
        if rest.isEmpty || rest == ":memory:" { return ":memory:" }
        return rest.hasPrefix("/") ? rest : FileManager.default.currentDirectoryPath + "/" + rest
    }

    public func migrate() async throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-keys") { db in
            try db.execute(sql: """
                CREATE TABLE virtual_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    owner TEXT,
                    key_hash TEXT NOT NULL UNIQUE,
                    key_prefix TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    revoked_at INTEGER,
                    models TEXT NOT NULL,
                    rpm INTEGER,
                    tpm INTEGER,
                    max_parallel INTEGER,
                    credits_nanos INTEGER,
                    metadata TEXT NOT NULL
                )
                """)
        }
        try migrator.migrate(database)
    }

    public func insert(_ key: VirtualKey) async throws {
        try await database.write { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO virtual_keys (id, name, owner, key_hash, key_prefix, created_at, expires_at, revoked_at, models, rpm, tpm,
                            max_parallel, credits_nanos, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: Self.arguments(key))
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw AccountStoreError("a key with this id or hash already exists")
            }
        }
    }

    public func update(_ key: VirtualKey) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE virtual_keys SET name = ?, owner = ?, key_hash = ?, key_prefix = ?, created_at = ?, expires_at = ?, revoked_at = ?,
                        models = ?, rpm = ?, tpm = ?, max_parallel = ?, credits_nanos = ?, metadata = ? WHERE id = ?
                    """,
                arguments: [
                    key.name, key.owner, key.keyHash, key.keyPrefix, key.createdAt, key.expiresAt, key.revokedAt, Self.encode(key.models),
                    key.rpm, key.tpm, key.maxParallel, key.credits?.nanos, Self.encode(key.metadata), key.id,
                ])
        }
    }

    public func key(id: String) async throws -> VirtualKey? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM virtual_keys WHERE id = ?", arguments: [id]).map(Self.key)
        }
    }

    public func key(hash: String) async throws -> VirtualKey? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM virtual_keys WHERE key_hash = ?", arguments: [hash]).map(Self.key)
        }
    }

    public func keys() async throws -> [VirtualKey] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM virtual_keys ORDER BY created_at DESC, id").map(Self.key)
        }
    }

    public func revoke(id: String, at time: Int64) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE virtual_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [time, id])
            return db.changesCount > 0
        }
    }

    public func addCredits(id: String, amount: Money) async throws -> Money? {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE virtual_keys SET credits_nanos = COALESCE(credits_nanos, 0) + ? WHERE id = ?", arguments: [amount.nanos, id])
            guard db.changesCount > 0 else { return nil }
            return try Int64.fetchOne(db, sql: "SELECT credits_nanos FROM virtual_keys WHERE id = ?", arguments: [id]).map(Money.init(nanos:))
        }
    }

    // MARK: - Rows

    private static func arguments(_ key: VirtualKey) -> StatementArguments {
        [
            key.id, key.name, key.owner, key.keyHash, key.keyPrefix, key.createdAt, key.expiresAt, key.revokedAt,
            encode(key.models), key.rpm, key.tpm, key.maxParallel, key.credits?.nanos, encode(key.metadata),
        ]
    }

    private static func key(_ row: Row) -> VirtualKey {
        VirtualKey(
            id: row["id"], name: row["name"], owner: row["owner"], keyHash: row["key_hash"], keyPrefix: row["key_prefix"],
            createdAt: row["created_at"], expiresAt: row["expires_at"], revokedAt: row["revoked_at"],
            models: decode(row["models"]) ?? [], rpm: row["rpm"], tpm: row["tpm"], maxParallel: row["max_parallel"],
            credits: (row["credits_nanos"] as Int64?).map(Money.init(nanos:)), metadata: decode(row["metadata"]) ?? [:])
    }

    private static func encode<T: Encodable>(_ value: T) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    private static func decode<T: Decodable>(_ text: String?) -> T? {
        text.flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }
}
