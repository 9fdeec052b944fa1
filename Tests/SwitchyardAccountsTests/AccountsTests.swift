import Foundation
import Testing
import SwitchyardCore
@testable import SwitchyardAccounts

@Suite struct MoneyTests {
    @Test(arguments: [("10.00", 10_000_000_000), ("0.5", 500_000_000), ("-1.25", -1_250_000_000), ("0.000000001", 1), ("7", 7_000_000_000)] as [(String, Int64)])
    func parsesDecimalStrings(_ text: String, _ nanos: Int64) {
        #expect(Money(decimal: text)?.nanos == nanos)
    }

    @Test(arguments: ["", "abc", "1.0000000001", "1.2.3", "1e3", ".", "99999999999999999999"])
    func rejectsNonDecimals(_ text: String) {
        #expect(Money(decimal: text) == nil)
    }

    @Test func formatsWithAtLeastTwoDecimals() {
        #expect(Money(nanos: 10_000_000_000).description == "10.00")
        #expect(Money(nanos: 885_000).description == "0.000885")
        #expect(Money(nanos: -1_500_000_000).description == "-1.50")
        #expect((Money(decimal: "0.1")! + Money(decimal: "0.2")!) == Money(decimal: "0.3")!, "exact, unlike binary floating point")
    }
}

@Suite struct VirtualKeyTests {
    @Test func keysHaveTheDesignedShapeAndAreHashed() {
        let key = KeyMaterial.generate()
        #expect(KeyMaterial.looksLikeKey(key))
        #expect(key.count == 38)
        #expect(KeyMaterial.generate() != key)
        #expect(KeyMaterial.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(KeyMaterial.displayPrefix(key).hasSuffix("…"))
    }

    @Test func modelPatterns() {
        #expect(ModelPattern.matches("gpt-*", "gpt-4o-mini"))
        #expect(!ModelPattern.matches("gpt-*", "claude"))
        #expect(ModelPattern.matches("*-mini", "gpt-4o-mini"))
        #expect(ModelPattern.matches("*", "anything"))
        #expect(ModelPattern.matches("a*c*e", "abcde"))
        #expect(!ModelPattern.matches("mini", "mini2"))
    }

    @Test func activityAndAllowList() {
        var key = VirtualKey(id: "k", name: "n", keyHash: "h", keyPrefix: "p", createdAt: 0, expiresAt: 100, models: ["mini"])
        #expect(key.isActive(at: 99))
        #expect(!key.isActive(at: 100))
        #expect(key.allows(model: "mini") && !key.allows(model: "preview"))
        key.revokedAt = 5
        #expect(!key.isActive(at: 1))
        key.models = []
        #expect(key.allows(model: "preview"))
    }
}

@Suite struct TokenBucketTests {
    @Test func refillsContinuouslyAndReportsTheWait() {
        var bucket = TokenBucket(capacity: 60, now: 0)
        for _ in 0..<60 { #expect(bucket.take(1, now: 0) == nil) }
        #expect(bucket.take(1, now: 0) == 1, "one token a second at 60 per minute")
        #expect(bucket.take(1, now: 1) == nil)
        #expect(bucket.remaining(now: 31) == 30)
    }

    @Test func largeTakesOverdrawAndAdjustmentsCorrect() {
        var bucket = TokenBucket(capacity: 100, now: 0)
        #expect(bucket.take(250, now: 0) == nil, "a request's tokens are not split")
        #expect(bucket.take(1, now: 0) != nil, "overdrawn: wait")
        bucket.adjust(by: 200, now: 0)
        #expect(bucket.remaining(now: 0) == 50)
    }
}

@Suite struct BudgetTests {
    @Test func periodsStartAtUTCBoundaries() {
        let time: Int64 = 1_800_000_000  // Friday 2027-01-15 08:00 UTC
        #expect(Budget(amount: .zero, period: .daily).periodStart(containing: time) == 1_799_971_200)
        #expect(Budget(amount: .zero, period: .weekly).periodStart(containing: time) == 1_799_971_200 - 4 * 86_400, "Monday")
        #expect(Budget(amount: .zero, period: .monthly).periodStart(containing: time) == 1_798_761_600, "2027-01-01")
    }
}

@Suite struct MoneyBoundsTests {
    /// Regression (#12): `"9223372036.999999999"` overflowed while parsing and trapped.
    @Test(arguments: ["9223372036.999999999", "9223372037", "-9223372037"])
    func amountsPastInt64AreNotParsed(_ text: String) {
        #expect(Money(decimal: text) == nil)
    }

    @Test func arithmeticSaturatesInsteadOfWrapping() {
        #expect(Money(nanos: .max) + Money(nanos: 1) == Money(nanos: .max))
        #expect(Money(nanos: .min) - Money(nanos: 1) == Money(nanos: .min))
        #expect(Money(nanos: 0) - Money(nanos: .min) == Money(nanos: .max))
        #expect(Money(nanos: .max).adding(Money(nanos: 1)) == nil)
        #expect(Money(nanos: 5).adding(Money(nanos: -7)) == Money(nanos: -2))
    }

    @Test func adminAmountsAreBounded() {
        #expect(Money.maxAdminAmount.isAdminAmount(allowNegative: false))
        #expect(!(Money.maxAdminAmount + Money(nanos: 1)).isAdminAmount(allowNegative: false))
        #expect(!Money(nanos: -1).isAdminAmount(allowNegative: false))
        #expect(Money(nanos: -1).isAdminAmount(allowNegative: true))
    }

    @Test func ledgerEntriesRoundTripThroughJSONExactly() throws {
        let entry = LedgerEntry(
            requestID: "req_1", keyID: "key_1", model: "m", provider: "p", upstreamModel: "u", promptTokens: 1, completionTokens: 2,
            estimated: false, cost: Money(nanos: 9_223_372_036_854_775_807), status: 200, latencyMs: 1.5, attempts: 1, stream: true, createdAt: 7)
        #expect(try JSONDecoder().decode(LedgerEntry.self, from: JSONEncoder().encode(entry)) == entry)
    }
}
