import Foundation
import GRDB
import SwitchyardAccounts
import SwitchyardTesting
import Testing
@testable import SwitchyardStoreSQLite

@Suite struct SQLiteAccountStoreTests {
    @Test func inMemoryStorePassesTheConformanceSuite() async throws {
        try await AccountStoreConformance.run { try SQLiteAccountStore(path: ":memory:") }
    }

    @Test func fileStorePassesTheConformanceSuiteAndPersists() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var counter = 0
        try await AccountStoreConformance.run {
            counter += 1
            return try SQLiteAccountStore(path: directory.appendingPathComponent("store-\(counter).db").path)
        }
        let path = directory.appendingPathComponent("store-1.db").path
        let reopened = try SQLiteAccountStore(path: path)
        try await reopened.migrate()
        #expect(try await reopened.key(id: "key_a")?.name == "team a", "data survives reopening the file")
    }

    @Test func storageURLsResolveRelativeToTheWorkingDirectory() {
        #expect(SQLiteAccountStore.path(fromURL: "sqlite:///var/db/s.db") == "/var/db/s.db")
        #expect(SQLiteAccountStore.path(fromURL: "sqlite://switchyard.db") == FileManager.default.currentDirectoryPath + "/switchyard.db")
        #expect(SQLiteAccountStore.path(fromURL: "sqlite://:memory:") == ":memory:")
        #expect(SQLiteAccountStore.path(fromURL: "postgres://x") == nil)
    }
}

@Suite struct SQLiteHostileValuesTests {
    /// Regression (#12): a REAL in an amount column (written by an overflowing `+` before top-ups
    /// were guarded) made every key load trap, so the gateway crashed on each start.
    @Test func aRealInAnAmountColumnLoadsClampedInsteadOfTrapping() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.db").path
        let store = try SQLiteAccountStore(path: path)
        try await store.migrate()
        try await store.insert(VirtualKey(id: "key_r", name: "r", keyHash: "h", keyPrefix: "p", createdAt: 0, credits: .zero))
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE virtual_keys SET credits_nanos = 1.8446744072e19, budget_nanos = 2.5, budget_period = 'daily' WHERE id = 'key_r'")
        }
        let key = try #require(try await store.key(id: "key_r"))
        #expect(key.credits == Money(nanos: .max))
        #expect(key.budget?.amount == Money(nanos: 2))
        #expect(try await store.keys().count == 1)
    }
}
