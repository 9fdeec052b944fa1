import Foundation
import SwitchyardAccounts
import SwitchyardTesting
import Testing
@testable import SwitchyardStorePostgres

/// The store across a PostgreSQL outage: calls during it fail (they do not hang), and calls after
/// it succeed again on their own.
@Suite(.enabled(if: PostgresServerProcess.isAvailable, "needs PostgreSQL (scripts/test.sh installs it)"))
struct PostgresRestartTests {
    @Test func callsFailDuringAnOutageAndWorkAgainAfterIt() async throws {
        let server = try await offloaded { try PostgresServerProcess(durableCommits: true) }  // the schema must survive the crash
        let url = try await offloaded { try server.createDatabase() }
        let store = try PostgresAccountStore(url: url)
        try await store.migrate()
        let key = AccountantConformance.key("restart", credits: Money(nanos: 1_000))
        try await store.insert(key)

        // Work in flight while the server stops, then calls while it is down.
        let writer = Task {
            var failures = 0
            for index in 0..<200 {
                do {
                    try await store.appendLedger([Self.entry("w\(index)", key: key.id)])
                } catch {
                    failures += 1
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return failures
        }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await offloaded { server.stop() }
        let started = ContinuousClock.now
        await #expect(throws: AccountStoreUnavailable.self) { _ = try await store.keys() }
        #expect(ContinuousClock.now - started < .seconds(10))
        try await Task.sleep(for: .seconds(3))
        try await offloaded { try server.start() }

        let failures = await writer.value
        #expect(failures > 0)
        var back = false
        var lastError = ""
        // Up to 30 s: the pool reconnects on its own, however slowly a loaded machine restarts the server.
        for _ in 0..<300 where !back {
            do {
                _ = try await store.keys()
                back = true
            } catch {
                lastError = String(reflecting: error)
            }
            if !back { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(back, "still failing: \(lastError)")
        try await store.appendLedger([Self.entry("after", key: key.id)])
        #expect(try await store.ledgerEntries(requestID: "after").count == 1)
    }

    static func entry(_ id: String, key: String) -> LedgerEntry {
        LedgerEntry(
            requestID: id, keyID: key, model: "m", provider: "p", upstreamModel: "u", promptTokens: 1, completionTokens: 1, estimated: false,
            cost: Money(nanos: 1), status: 200, latencyMs: 1, attempts: 1, stream: false, createdAt: 1_800_000_000)
    }
}
