import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite
import SwitchyardTesting
import Testing

/// Waits until the ledger has `count` rows for `model` (the flusher writes behind).
func ledgerRequests(_ store: SQLiteAccountStore, model: String, count: Int) async throws -> UsageTotals? {
    for _ in 0..<100 {
        let row = try await store.usage(groupBy: .model, from: nil, to: nil).first { $0.group == model }
        if (row?.requests ?? 0) >= count { return row }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await store.usage(groupBy: .model, from: nil, to: nil).first { $0.group == model }
}

@Suite struct MeteringTests {
    /// 45 characters: the body's messages are 74 bytes, which the gateway estimates as 19 prompt
    /// tokens — the fake's usage — so with `max_tokens: 10` a reservation equals the actual cost.
    static let exactBody = #"{"model":"mini","max_tokens":10,"messages":[{"role":"user","content":"\#(String(repeating: "a", count: 45))"}]}"#
    static let costNanos: Int64 = 19 * 150 + 10 * 600  // 8,850 nanodollars at 0.15 / 0.60 per million

    @Test func concurrentRequestsNeverSpendMoreThanTheCredits() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        let covered = 37
        try await GatewayHarness.run(store: store) { client, _ in
            let credits = Money(nanos: Self.costNanos * Int64(covered))
            let created = try await createKey(client, #"{"name": "budget", "credits": "\#(credits)"}"#)
            let port = try #require(client.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let statuses: [Int]
            do {
                statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<200 {
                        group.addTask {
                            let request = gatewayRequest(port: port, key: created.key, body: ByteBuffer(string: Self.exactBody))
                            let response = try await http.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            return Int(response.status.code)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
            #expect(statuses.filter { $0 == 200 }.count == covered)
            #expect(statuses.filter { $0 == 402 }.count == 200 - covered)
            let row = try await ledgerRequests(store, model: "mini", count: covered)
            #expect(row?.requests == covered, "one ledger row per served request")
            #expect(row?.cost == credits, "ledger sum equals the balance change")
            #expect(try await store.key(id: created.id)?.credits == .zero, "the balance never goes below zero")
        }
    }

    /// `storage.ledger_flush_ms` sets how often rows go into the store: with a minute, a served
    /// request's row is not there half a second later; with the harness's 20 ms it is.
    @Test(arguments: [60_000, 20])
    func theStoreIsWrittenEveryLedgerFlushInterval(_ milliseconds: Int) async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: { $0.storage.ledgerFlushMilliseconds = milliseconds }, store: store) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini")) { response in
                #expect(response.status.code == 200)
            }
            try await Task.sleep(for: .milliseconds(500))
            let row = try await store.usage(groupBy: .model, from: nil, to: nil).first { $0.group == "mini" }
            #expect(row?.requests == (milliseconds == 20 ? 1 : nil))
        }
    }

    @Test func insufficientCreditsIs402InTheOpenAIEnvelope() async throws {
        try await GatewayHarness.run { client, _ in
            let created = try await createKey(client, #"{"name": "broke", "credits": "0.00"}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                #expect(response.status.code == 402)
                let object = try errorObject(response.body)
                #expect(object["code"] as? String == "insufficient_credits")
            }
        }
    }

    @Test func streamsAreMeteredWithTheUpstreamUsage() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(store: store) { client, _ in
            let created = try await createKey(client, #"{"name": "streamer", "credits": "1.00"}"#)
            let requestID = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini", stream: true)) { response in
                #expect(String(buffer: response.body).hasSuffix("[DONE]\n\n"))
                return try #require(response.headers[HTTPField.Name("x-request-id")!])
            }
            var entries: [LedgerEntry] = []
            for _ in 0..<100 where entries.isEmpty {
                entries = try await store.ledgerEntries(requestID: requestID)
                try await Task.sleep(for: .milliseconds(20))
            }
            let entry = try #require(entries.first)
            #expect(entry.promptTokens == 19 && entry.completionTokens == 6 && !entry.estimated)
            #expect(entry.keyID == created.id && entry.stream && entry.status == 200)
            #expect(entry.cost == Money(nanos: 19 * 150 + 6 * 600))
        }
    }

    @Test func aClientThatLeavesMidStreamIsBilledForWhatWasGenerated() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: { $0.models[4].price = Price(input: 0.15, output: 0.60) }, store: store) { client, _ in
            let port = try #require(client.port)
            let request = gatewayRequest(port: port, key: GatewayHarness.masterKey, body: chatBody("slow", stream: true))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let response = try await http.execute(request, timeout: .seconds(10))
                for try await _ in response.body { break }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
            let row = try await ledgerRequests(store, model: "slow", count: 1)
            #expect(row?.requests == 1, "the abandoned stream is metered exactly once")
            #expect((row?.promptTokens ?? 0) > 0, "with an estimate, since the usage chunk never came")
        }
    }
}

@Suite struct BudgetEnforcementTests {
    @Test func aBudgetCapsSpendingWithinItsPeriod() async throws {
        try await GatewayHarness.run { client, _ in
            let created = try await createKey(client, #"{"name": "capped", "budget": {"amount": "0.00002", "period": "daily"}}"#)
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: ByteBuffer(string: MeteringTests.exactBody)) { response in
                    #expect(response.status == .ok)
                }
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: ByteBuffer(string: MeteringTests.exactBody)) { response in
                #expect(response.status.code == 402)
                let object = try errorObject(response.body)
                #expect((object["message"] as? String)?.contains("budget") == true)
            }
            try await client.execute(uri: "/admin/keys/\(created.id)", method: .get, headers: .authorized) { response in
                let budget = try json(response.body)["budget"] as? [String: Any]
                #expect(budget?["period"] as? String == "daily")
            }
        }
    }
}
