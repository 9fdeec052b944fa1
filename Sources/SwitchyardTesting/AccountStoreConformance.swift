import Foundation
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
        try await pagesAndSearchesKeys(makeStore())
        try await pagesAndFiltersTheLedger(makeStore())
        try await usageOfOneKeyAndByProvider(makeStore())
        try await statsAndRoutedUsage(makeStore())
        try await keepsSessionsUntilTheyExpireOrEnd(makeStore())
        try await listsKeysChangedSinceATime(makeStore())
    }

    static func listsKeysChangedSinceATime(_ store: any AccountStore) async throws {
        try await store.migrate()
        for suffix in ["a", "b", "c", "d"] { try await store.insert(sample(suffix)) }
        let written = Int64(Date().timeIntervalSince1970)
        try check(Set(try await store.keys(changedSince: written - 5).map(\.id)) == ["key_a", "key_b", "key_c", "key_d"], "inserts are changes")
        // Into the next second: what is written from now on is newer than every insert.
        let next = written + 1
        while Int64(Date().timeIntervalSince1970) < next { try await Task.sleep(for: .milliseconds(50)) }
        var edited = sample("b")
        edited.name = "renamed"
        try await store.update(edited)
        _ = try await store.revoke(id: "key_c", at: next)
        _ = try await store.addCredits(id: "key_d", amount: Money(decimal: "1.00") ?? .zero)
        // The ledger charging a key is not a change of the key (it would make every flush a reload).
        try await store.appendLedger([entry("c1", key: "key_a", cost: "0.10")])
        let changed = try await store.keys(changedSince: next)
        try check(Set(changed.map(\.id)) == ["key_b", "key_c", "key_d"], "edits, revocations and top-ups are changes, charges are not: \(changed.map(\.id))")
        try check(changed.first { $0.id == "key_b" }?.name == "renamed", "the changed key is returned as it is now")
        try check(try await store.keys(changedSince: next + 3600).isEmpty, "nothing changed after now")
    }

    static func pagesAndSearchesKeys(_ store: any AccountStore) async throws {
        try await store.migrate()
        // Five keys, two of them created in the same second (the id breaks the tie).
        for (suffix, time) in [("a", 100), ("b", 200), ("c", 200), ("d", 300), ("e", 400)] as [(String, Int64)] {
            var key = sample(suffix, createdAt: time)
            key.name = suffix == "c" ? "Billing <Team>" : "team \(suffix)"
            try await store.insert(key)
        }
        var pages: [[String]] = []
        var cursor: PageCursor?
        repeat {
            let page = try await store.keys(KeyQuery(before: cursor, limit: 2))
            pages.append(page.map(\.id))
            cursor = page.count == 2 ? page.last.map { PageCursor(createdAt: $0.createdAt, id: $0.id) } : nil
        } while cursor != nil
        try check(pages.flatMap { $0 } == ["key_e", "key_d", "key_b", "key_c", "key_a"], "pages are newest first, id on ties, none lost: \(pages)")
        try check(try await store.keys(KeyQuery(search: "billing")).map(\.id) == ["key_c"], "search matches a name case-insensitively")
        try check(try await store.keys(KeyQuery(search: "key_d")).map(\.id) == ["key_d"], "search matches an id")
        try check(try await store.keys(KeyQuery(search: "%")).isEmpty, "search is literal, not a pattern")
        try check(try await store.keys(KeyQuery(search: "t_am")).isEmpty, "an underscore is literal too")
        try check(try await store.keys(KeyQuery(search: "sk-sy-e")).map(\.id) == ["key_e"], "search matches the beginning of a key prefix")
        try check(try await store.keys(KeyQuery(search: "eam")).isEmpty, "names match from their beginning")
        try check(try await store.keys(KeyQuery(search: "team", limit: 2)).count == 2, "search honours the limit")
    }

    static func pagesAndFiltersTheLedger(_ store: any AccountStore) async throws {
        try await store.migrate()
        var failed = entry("r4", key: "k2", model: "preview", cost: "0", at: 1_800_000_300)
        failed.status = 502
        try await store.appendLedger([
            entry("r1", key: "k1", cost: "0.10", at: 1_800_000_100), entry("r2", key: "k1", cost: "0.10", at: 1_800_000_200),
            entry("r3", key: "k2", cost: "0.10", at: 1_800_000_200), failed,
        ])
        let first = try await store.ledger(LedgerQuery(limit: 2))
        try check(first.map(\.requestID) == ["r4", "r3"], "newest first, request id descending on ties: \(first.map(\.requestID))")
        let next = try await store.ledger(LedgerQuery(before: first.last.map { PageCursor(createdAt: $0.createdAt, id: $0.requestID) }, limit: 2))
        try check(next.map(\.requestID) == ["r2", "r1"], "the next page continues after the cursor: \(next.map(\.requestID))")
        try check(try await store.ledger(LedgerQuery(keyID: "k1")).map(\.requestID) == ["r2", "r1"], "filter by key")
        try check(try await store.ledger(LedgerQuery(model: "preview")).map(\.requestID) == ["r4"], "filter by model")
        try check(try await store.ledger(LedgerQuery(status: .error)).map(\.requestID) == ["r4"], "filter by errors")
        try check(try await store.ledger(LedgerQuery(status: .exactly(200), limit: 10)).count == 3, "filter by one status")
        try check(try await store.ledger(LedgerQuery(keyID: "k2", status: .ok)).map(\.requestID) == ["r3"], "filters combine")
    }

    static func usageOfOneKeyAndByProvider(_ store: any AccountStore) async throws {
        try await store.migrate()
        var other = entry("p2", key: "k2", cost: "0.20", at: 1_800_000_000)
        other.provider = "q"
        try await store.appendLedger([entry("p1", key: "k1", cost: "0.10", at: 1_800_000_000), other, entry("p3", key: "k1", cost: "0.30", at: 1_800_090_000)])
        let byProvider = try await store.usage(UsageQuery(groupBy: .provider))
        try check(byProvider.map(\.group) == ["p", "q"] && byProvider[0].requests == 2, "usage by provider: \(byProvider)")
        let mine = try await store.usage(UsageQuery(groupBy: .day, keyID: "k1"))
        try check(mine.map(\.cost) == [Money(decimal: "0.10"), Money(decimal: "0.30")], "usage of one key by day: \(mine)")
        let mineInRange = try await store.usage(UsageQuery(groupBy: .model, from: 1_800_000_000, to: 1_800_000_001, keyID: "k1"))
        try check(mineInRange.map(\.requests) == [1], "a key's usage within a range: \(mineInRange)")
    }

    static func statsAndRoutedUsage(_ store: any AccountStore) async throws {
        try await store.migrate()
        let day: Int64 = 1_800_000_000 - 1_800_000_000 % 86_400
        var rows: [LedgerEntry] = []
        for index in 0..<20 {
            var row = entry("s\(index)", key: index < 10 ? "k1" : "k2", model: index % 4 == 0 ? "strong" : "mini", cost: "0.01", at: day + Int64(index))
            row.latencyMs = Double(index + 1)
            row.status = index == 19 ? 500 : 200
            row.route = index % 4 == 0 ? "auto strong p=0.90 t=0.50" : "auto weak p=0.10 t=0.50"
            rows.append(row)
        }
        rows[1].route = "attempts=2"  // failover only: not a routing decision
        try await store.appendLedger(rows)
        let stats = try await store.ledgerStats(from: day, to: day + 86_400, keyID: nil)
        try check(stats.sampled == 20 && stats.errors == 1 && stats.p50LatencyMs == 10 && stats.p95LatencyMs == 19, "ledger stats: \(stats)")
        let mine = try await store.ledgerStats(from: day, to: day + 86_400, keyID: "k1")
        try check(mine.sampled == 10 && mine.errors == 0, "one key's stats: \(mine)")
        let routed = try await store.routedUsage(from: day, to: day + 86_400)
        let strong = routed.first { $0.label == "strong" }
        let weak = routed.first { $0.label == "weak" }
        try check(
            routed.count == 2 && strong?.router == "auto" && strong?.model == "strong" && strong?.requests == 5 && weak?.requests == 14
                && weak?.promptTokens == 140 && strong?.cost == Money(decimal: "0.05"),
            "routed usage per router, label and alias: \(routed)")
        try check(try await store.routedUsage(from: day + 86_400, to: day + 2 * 86_400).isEmpty, "routed usage honours the range")
    }

    static func keepsSessionsUntilTheyExpireOrEnd(_ store: any AccountStore) async throws {
        try await store.migrate()
        let operator_ = DashboardSession(tokenHash: "h1", keyID: nil, csrfToken: "c1", createdAt: 100, expiresAt: 200)
        let holder = DashboardSession(tokenHash: "h2", keyID: "key_a", csrfToken: "c2", createdAt: 100, expiresAt: 300)
        try await store.saveSession(operator_)
        try await store.saveSession(holder)
        try check(try await store.session(tokenHash: "h1", now: 150) == operator_, "a session round trips")
        try check(try await store.session(tokenHash: "h2", now: 150) == holder, "a key holder's session keeps its key")
        try check(try await store.session(tokenHash: "h1", now: 200) == nil, "an expired session is not returned")
        try await store.deleteSession(tokenHash: "h2")
        try check(try await store.session(tokenHash: "h2", now: 150) == nil, "a deleted session is gone")
        try check(try await store.purgeSessions(expiredBefore: 250) == 1, "expired sessions are purged")
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
        var unpriced = entry("req_unpriced", key: "key_free", cost: "0")
        unpriced.unpriced = true
        var hit = entry("req_hit", key: "key_free", cost: "0")
        hit.cacheHit = true
        hit.saved = Money(decimal: "0.0042") ?? .zero
        try await store.appendLedger([unpriced, hit])
        try check(try await store.ledgerEntries(requestID: "req_unpriced") == [unpriced], "a row's unpriced mark must round trip")
        try check(try await store.ledgerEntries(requestID: "req_hit") == [hit], "a row's cache-hit mark must round trip")
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
        var hit = entry("u4", key: "k1", model: "mini", cost: "0", at: day + 86_400 + 7_200)
        hit.cacheHit = true
        hit.saved = Money(decimal: "0.25") ?? .zero
        try await store.appendLedger([hit])
        let byModel = try await store.usage(groupBy: .model, from: nil, to: nil)
        try check(
            byModel.map(\.group) == ["mini", "preview"] && byModel[0].requests == 3 && byModel[0].cost == Money(decimal: "0.40")
                && byModel[0].cacheHits == 1 && byModel[0].saved == Money(decimal: "0.25") && byModel[1].cacheHits == 0,
            "usage by model, with cache hits and what they saved: \(byModel)")
        // Within the hour (the raw ledger at a range's edge) and over whole days (rollups) alike.
        let edge = try await store.usage(groupBy: .key, from: day + 86_400 + 7_200, to: day + 86_400 + 7_201)
        try check(edge.map(\.group) == ["k1"] && edge[0].cacheHits == 1 && edge[0].saved == Money(decimal: "0.25"), "an edge: \(edge)")
        let byDay = try await store.usage(groupBy: .day, from: day + 86_400, to: nil)
        try check(byDay.map(\.group) == ["2027-01-16"] && byDay[0].promptTokens == 30, "usage by day with a from bound: \(byDay)")
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
    /// REAL, after which the key could not be loaded. A balance past `Money.maxBalance` is refused
    /// as the store's own refusal (`AccountStoreError`, a 400), not as an outage (a 503).
    static func refusesBalancesPastTheBound(_ store: any AccountStore) async throws {
        try await store.migrate()
        let key = sample("rich")
        try await store.insert(key)
        let billion = Money(decimal: "1000000000") ?? .zero
        for _ in 0..<3 { _ = try await store.addCredits(id: key.id, amount: billion) }
        var refused = false
        do { _ = try await store.addCredits(id: key.id, amount: billion) } catch is AccountStoreError { refused = true }
        try check(refused, "a top-up past Money.maxBalance must throw AccountStoreError")
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
        let counts = (try await store.feedbackCount(router: "auto"), try await store.feedbackCount(router: "none"))
        try check(counts == (2, 0), "feedback is counted per router: \(counts)")
    }
}
