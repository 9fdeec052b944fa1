import Foundation
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
