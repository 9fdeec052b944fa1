public import SwitchyardAccounts

/// The behaviour every `AccountStore` must have. A store's test target calls `run` with a
/// factory for fresh, empty stores; the first failed check throws `ConformanceFailure`.
public enum AccountStoreConformance {
    /// A check the store did not pass.
    public struct ConformanceFailure: Error, CustomStringConvertible {
        public let description: String
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
        if !condition { throw ConformanceFailure(description: "AccountStoreConformance:\(line): \(message())") }
    }

    static func sample(_ suffix: String, createdAt: Int64 = 1_800_000_000) -> VirtualKey {
        VirtualKey(
            id: "key_\(suffix)", name: "team \(suffix)", owner: "owner-\(suffix)", keyHash: KeyMaterial.hash("sk-sy-\(suffix)"),
            keyPrefix: "sk-sy-\(suffix.prefix(4))…", createdAt: createdAt, expiresAt: createdAt + 3600, models: ["mini", "gpt-*"],
            rpm: 60, tpm: 10_000, maxParallel: 4, credits: Money(decimal: "10.00"),
            budget: Budget(amount: Money(decimal: "5.00") ?? .zero, period: .monthly), metadata: ["env": "test"])
    }

    public static func run(makeStore: () async throws -> any AccountStore) async throws {
        try await roundTripsEveryField(makeStore())
        try await storesFeedbackWithItsEmbedding(makeStore())
        try await findsByHashAndListsNewestFirst(makeStore())
        try await rejectsDuplicates(makeStore())
        try await updatesAndRevokes(makeStore())
        try await addsCreditsAtomically(makeStore())
        try await refusesBalancesPastTheBound(makeStore())
        try await ledgerChargesKeysExactlyOnce(makeStore())
        try await usageGroups(makeStore())
        try await purgesRawLedgerRowsBeforeTheRetention(makeStore())
        try await keepsResponsesPerOwnerUntilTheirRetention(makeStore())
    }

    static func keepsResponsesPerOwnerUntilTheirRetention(_ store: any AccountStore) async throws {
        try await store.migrate()
        let first = StoredResponse(
            id: "resp_1", owner: "key_a", model: "mini", provider: "openai", upstreamStored: true, response: Array(#"{"id":"resp_1"}"#.utf8),
            inputItems: Array(#"[{"role":"user","content":"hi"}]"#.utf8), outputItems: Array("[]".utf8), createdAt: 100)
        var second = first
        second.id = "resp_2"
        second.upstreamStored = false
        second.createdAt = 200
        try await store.saveResponse(first)
        try await store.saveResponse(second)
        try check(try await store.response(id: "resp_1", owner: "key_a") == first, "a stored response round-trips")
        try check(try await store.response(id: "resp_1", owner: "key_b") == nil, "another owner never sees it")
        try check(try await store.deleteResponse(id: "resp_1", owner: "key_b") == false, "nor deletes it")
        try check(try await store.purgeResponses(createdBefore: 150) == 1, "retention deletes what is older")
        try check(try await store.response(id: "resp_1", owner: "key_a") == nil, "the purged one is gone")
        try check(try await store.deleteResponse(id: "resp_2", owner: "key_a"), "its owner deletes it")
        try check(try await store.response(id: "resp_2", owner: "key_a") == nil, "and then it is gone")
    }

    static func entry(_ id: String, key: String?, model: String = "mini", cost: String, at time: Int64 = 1_800_000_000) -> LedgerEntry {
        LedgerEntry(
            requestID: id, keyID: key, model: model, provider: "p", upstreamModel: "m", promptTokens: 10, completionTokens: 5,
            estimated: false, cost: Money(decimal: cost) ?? .zero, status: 200, latencyMs: 12.5, timeToFirstTokenMs: 3, attempts: 1,
            stream: true, createdAt: time)
    }

    static func ledgerChargesKeysExactlyOnce(_ store: any AccountStore) async throws {
        try await store.migrate()
        try await store.insert(sample("paying"))  // 10.00 credits
        var unlimited = sample("free")
        unlimited.credits = nil
        try await store.insert(unlimited)
        let first = entry("req_1", key: "key_paying", cost: "0.25")
        try await store.appendLedger([first, entry("req_2", key: "key_paying", cost: "0.75"), entry("req_3", key: "key_free", cost: "1.00")])
        try await store.appendLedger([first])  // a retried flush
        try check(try await store.key(id: "key_paying")?.credits == Money(decimal: "9.00"), "costs must come off the balance exactly once")
        try check(try await store.key(id: "key_free")?.credits == nil, "a key without a balance is not charged")
        try check(try await store.ledgerEntries(requestID: "req_1") == [first], "a ledger row must round trip")
        try check(try await store.spend(keyID: "key_paying", since: 0) == Money(decimal: "1.00"), "spend sums the key's rows")
        try check(try await store.spend(keyID: "key_paying", since: 1_800_000_001) == .zero, "spend honours since")
    }

    static func purgesRawLedgerRowsBeforeTheRetention(_ store: any AccountStore) async throws {
        try await store.migrate()
        let day: Int64 = 1_800_000_000
        try await store.appendLedger([entry("old", key: nil, cost: "0.10", at: day), entry("new", key: nil, cost: "0.10", at: day + 86_400)])
        try check(try await store.purgeLedger(createdBefore: day + 1) == 1, "one row is older than the retention")
        try check(try await store.ledgerEntries(requestID: "old").isEmpty, "a purged row is gone")
        try check(try await store.ledgerEntries(requestID: "new").count == 1, "a newer row stays")
    }

    static func usageGroups(_ store: any AccountStore) async throws {
        try await store.migrate()
        let day: Int64 = 1_800_000_000  // 2027-01-15 UTC
        try await store.appendLedger([
            entry("u1", key: "k1", model: "mini", cost: "0.10", at: day),
            entry("u2", key: "k1", model: "preview", cost: "0.20", at: day + 86_400),
            entry("u3", key: nil, model: "mini", cost: "0.30", at: day + 86_400),
        ])
        let byModel = try await store.usage(groupBy: .model, from: nil, to: nil)
        try check(byModel.map(\.group) == ["mini", "preview"] && byModel[0].requests == 2 && byModel[0].cost == Money(decimal: "0.40"), "usage by model: \(byModel)")
        let byDay = try await store.usage(groupBy: .day, from: day + 86_400, to: nil)
        try check(byDay.map(\.group) == ["2027-01-16"] && byDay[0].promptTokens == 20, "usage by day with a from bound: \(byDay)")
        let byKey = try await store.usage(groupBy: .key, from: nil, to: day + 1)
        try check(byKey.map(\.group) == ["k1"] && byKey[0].completionTokens == 5, "usage by key with a to bound: \(byKey)")
    }

    static func roundTripsEveryField(_ store: any AccountStore) async throws {
        try await store.migrate()
        try await store.migrate()  // idempotent
        let key = sample("a")
        try await store.insert(key)
        let loaded = try await store.key(id: key.id)
        try check(loaded == key, "round trip changed the key: \(String(describing: loaded))")
        var bare = VirtualKey(id: "key_bare", name: "bare", keyHash: KeyMaterial.hash("x"), keyPrefix: "sk-sy-x…", createdAt: 1)
        bare.metadata = [:]
        try await store.insert(bare)
        try check(try await store.key(id: "key_bare") == bare, "optional fields did not round trip as nil")
        try check(try await store.key(id: "key_missing") == nil, "a missing id must give nil")
    }

    static func findsByHashAndListsNewestFirst(_ store: any AccountStore) async throws {
        try await store.migrate()
        try await store.insert(sample("old", createdAt: 100))
        try await store.insert(sample("new", createdAt: 200))
        try check(try await store.key(hash: KeyMaterial.hash("sk-sy-new"))?.id == "key_new", "lookup by hash failed")
        try check(try await store.key(hash: KeyMaterial.hash("nope")) == nil, "unknown hash must give nil")
        try check(try await store.keys().map(\.id) == ["key_new", "key_old"], "keys must be listed newest first")
    }

    static func rejectsDuplicates(_ store: any AccountStore) async throws {
        try await store.migrate()
        try await store.insert(sample("dup"))
        var sameHash = sample("other")
        sameHash.keyHash = sample("dup").keyHash
        for duplicate in [sample("dup"), sameHash] {
            do {
                try await store.insert(duplicate)
                throw ConformanceFailure(description: "a duplicate id or hash was accepted")
            } catch is AccountStoreError {}
        }
    }

    static func updatesAndRevokes(_ store: any AccountStore) async throws {
        try await store.migrate()
        var key = sample("u")
        try await store.insert(key)
        key.name = "renamed"
        key.models = []
        key.credits = nil
        key.budget = Budget(amount: Money(nanos: 1), period: .daily)
        try await store.update(key)
        try check(try await store.key(id: key.id) == key, "update did not persist")
        try check(try await store.revoke(id: key.id, at: 42), "revoke of an existing key must report true")
        try check(try await store.revoke(id: key.id, at: 99), "revoking again still finds the key")
        try check(try await store.key(id: key.id)?.revokedAt == 42, "the first revocation time is kept")
        try check(!(try await store.revoke(id: "key_missing", at: 1)), "revoke of a missing key must report false")
    }

    static func addsCreditsAtomically(_ store: any AccountStore) async throws {
        try await store.migrate()
        var key = sample("c")
        key.credits = nil
        try await store.insert(key)
        let cent = Money(nanos: 10_000_000)
        let id = key.id
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 { group.addTask { _ = try await store.addCredits(id: id, amount: cent) } }
            try await group.waitForAll()
        }
        try check(try await store.key(id: key.id)?.credits == Money(decimal: "1.00"), "100 concurrent top-ups of 0.01 must sum to 1.00")
        try check(try await store.addCredits(id: "key_missing", amount: cent) == nil, "top-up of a missing key must give nil")
    }

    /// Regression (#12): two top-ups of 9223372036 USD overflowed `Int64` and SQLite stored a
    /// REAL, after which the key could not be loaded. A balance past `Money.maxBalance` is refused.
    static func refusesBalancesPastTheBound(_ store: any AccountStore) async throws {
        try await store.migrate()
        let key = sample("rich")
        try await store.insert(key)
        let billion = Money(decimal: "1000000000") ?? .zero
        for _ in 0..<3 { _ = try await store.addCredits(id: key.id, amount: billion) }
        var refused = false
        do { _ = try await store.addCredits(id: key.id, amount: billion) } catch { refused = true }
        try check(refused, "a top-up past Money.maxBalance must throw")
        let loaded = try await store.key(id: key.id)
        try check(loaded?.credits == (Money(decimal: "3000000010") ?? .zero), "the balance stays exact: \(String(describing: loaded?.credits))")
    }

    static func storesFeedbackWithItsEmbedding(_ store: any AccountStore) async throws {
        try await store.migrate()
        let first = RouteFeedback(
            requestID: "req_1", router: "auto", label: "weak", alias: "mini", outcome: 0, preferredModel: "preview",
            embedding: [0.25, -1.5, 3], keyID: "key_a", createdAt: 10)
        let second = RouteFeedback(requestID: "req_2", router: "auto", label: "strong", alias: "preview", outcome: 1, createdAt: 11)
        try await store.recordFeedback(first)
        try await store.recordFeedback(second)
        try await store.recordFeedback(RouteFeedback(requestID: "req_3", router: "other", label: "weak", alias: "mini", outcome: 1, createdAt: 12))
        try check(try await store.feedback(router: "auto") == [first, second], "feedback round-trips, oldest first, per router")
        var changed = first
        changed.outcome = 1
        try await store.recordFeedback(changed)
        try check(try await store.feedback(router: "auto").first?.outcome == 1, "a later verdict replaces the earlier one")
    }
}
