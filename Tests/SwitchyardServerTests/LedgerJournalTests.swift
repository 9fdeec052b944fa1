import AsyncHTTPClient
import Foundation
import Logging
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite
import Testing
@testable import SwitchyardServer

@Suite struct LedgerJournalTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func entry(_ id: String, key: String? = "key_j", cost: Int64 = 1_000) -> LedgerEntry {
        LedgerEntry(
            requestID: id, keyID: key, model: "mini", provider: "fake", upstreamModel: "m", promptTokens: 3, completionTokens: 4,
            estimated: false, cost: Money(nanos: cost), status: 200, latencyMs: 1, attempts: 1, stream: false, createdAt: 1_800_000_000)
    }

    @Test func concurrentAppendsAreAllOnDiskAndATornLineIsSkipped() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try LedgerJournal(directory: directory)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 { group.addTask { journal.append(Self.entry("req_\(index)")) } }
        }
        let segment = directory.appendingPathComponent("segment-1.jsonl")
        let handle = try FileHandle(forWritingTo: segment)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"requestID":"req_torn","#.utf8))  // a crash mid-write
        try handle.close()
        let recovered = LedgerJournal.recover(from: directory)
        #expect(Set(recovered.entries.map(\.requestID)) == Set((0..<200).map { "req_\($0)" }))
        #expect(recovered.through == 1)
    }

    /// The hand-written journal line is the entry's `Codable` form: replay decodes every field back,
    /// strings that need escapes and absent optionals included, and Foundation reads the same object.
    @Test(arguments: [
        LedgerJournalTests.entry("req_plain"),
        LedgerEntry(
            requestID: "req_\"quoted\\\n\u{01}", keyID: nil, model: "mödel \u{1F600}", provider: "p\tq", upstreamModel: "m/1",
            route: "router:auto weak", promptTokens: Int.max, completionTokens: 0, cachedTokens: 7, reasoningTokens: 9, estimated: true,
            cost: Money(nanos: -12_345), status: 499, latencyMs: 0.000_012_5, timeToFirstTokenMs: 1234.5, attempts: 3, stream: true,
            createdAt: -1, unpriced: true, cacheHit: true, saved: Money(nanos: Int64.max)),
    ])
    func aJournalLineDecodesToTheSameEntry(_ entry: LedgerEntry) throws {
        let line = entry.journalLine
        #expect(line.last == 0x0A && !line.dropLast().contains(0x0A), "one line")
        #expect(try JSONDecoder().decode(LedgerEntry.self, from: Data(line.dropLast())) == entry)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.dropLast())) as? [String: Any])
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(entry)) as? [String: Any])
        #expect(Set(object.keys) == Set(encoded.keys), "the same fields as the Codable form")
    }

    @Test func aNonFiniteDurationStillMakesAJSONLine() throws {
        var entry = Self.entry("req_nan")
        entry.latencyMs = .nan
        entry.timeToFirstTokenMs = .infinity
        let decoded = try JSONDecoder().decode(LedgerEntry.self, from: Data(entry.journalLine.dropLast()))
        #expect(decoded.latencyMs == 0 && decoded.timeToFirstTokenMs == 0 && decoded.requestID == "req_nan")
    }

    /// `append` returns once the row is written (a crash of the process keeps it); the syncer
    /// thread then puts it on disk without the caller waiting.
    @Test func appendReturnsWrittenAndTheSyncerSyncsBehind() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try LedgerJournal(directory: directory, syncInterval: .milliseconds(20))
        for index in 0..<50 { journal.append(Self.entry("req_\(index)")) }
        #expect(LedgerJournal.recover(from: directory).entries.count == 50, "readable from the file as soon as append returns")
        let deadline = ContinuousClock.now + .seconds(30)
        while !journal.isSynced, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(journal.isSynced)
        #expect(!journal.hasFailed)
        _ = journal.rotate()
        journal.append(Self.entry("req_next"))
        while !journal.isSynced, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(journal.isSynced && !journal.hasFailed, "the rotated segment and the new one are synced")
        #expect(LedgerJournal.recover(from: directory).entries.count == 51)
    }

    @Test func aFlushThatReachedTheStoreTrimsTheJournal() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteAccountStore(path: ":memory:")
        try await store.migrate()
        let accounting = Accounting(store: store, logger: Logger(label: "test"), journal: try LedgerJournal(directory: directory))
        _ = await accounting.record(nil, entry: Self.entry("req_a", key: nil), actualTokens: 0)
        _ = await accounting.record(nil, entry: Self.entry("req_b", key: nil), actualTokens: 0)
        #expect(LedgerJournal.recover(from: directory).entries.count == 2, "on disk before the store has them")
        await accounting.flush()
        _ = await accounting.record(nil, entry: Self.entry("req_c", key: nil), actualTokens: 0)
        try await Task.sleep(for: .milliseconds(100))
        #expect(LedgerJournal.recover(from: directory).entries.map(\.requestID) == ["req_c"], "flushed segments are deleted")
        #expect(try await store.ledgerEntries(requestID: "req_a").count == 1)
    }

    /// The start-up replay puts journaled rows in the store once, charging their keys once, however
    /// often it runs (a crash during the replay itself leaves the segments for the next start).
    @Test func replayAtStartUpMetersEachRowExactlyOnce() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteAccountStore(path: ":memory:")
        try await store.migrate()
        try await store.insert(VirtualKey(id: "key_j", name: "j", keyHash: "h", keyPrefix: "p", createdAt: 0, credits: Money(nanos: 10_000)))
        let crashed = try LedgerJournal(directory: directory)
        for index in 0..<3 { crashed.append(Self.entry("req_\(index)")) }
        try await store.appendLedger([Self.entry("req_0")])  // this one had been flushed before the crash
        for _ in 0..<2 {
            var dependencies = GatewayDependencies(transport: HTTPUpstreamTransport(client: .shared, pool: nil), accountStore: store)
            dependencies.ledgerJournal = directory
            var configuration = GatewayConfiguration()
            configuration.server.masterKey = Secret("sk-sy-master")
            _ = try await buildApplication(configuration: configuration, dependencies: dependencies)
        }
        for index in 0..<3 { #expect(try await store.ledgerEntries(requestID: "req_\(index)").count == 1) }
        #expect(try await store.key(id: "key_j")?.credits == Money(nanos: 7_000), "three rows of 1,000 nanodollars, each charged once")
    }
}
