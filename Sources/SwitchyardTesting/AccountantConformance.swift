public import SwitchyardAccounts
import SwitchyardCore

/// The behaviour every `Accountant` must have: exact under concurrency, whatever keeps the state.
/// A test target calls `run` with a factory that returns a fresh accountant knowing `keys` (their
/// balances and budgets as the store has them, nothing spent); the first failed check throws.
public enum AccountantConformance {
    public typealias Factory = @Sendable (_ keys: [VirtualKey]) async throws -> any Accountant

    static func check(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
        if !condition { throw AccountStoreConformance.ConformanceFailure(description: "AccountantConformance:\(line): \(message())") }
    }

    public static func key(_ id: String, credits: Money? = nil, budget: Budget? = nil, rpm: Int? = nil, tpm: Int? = nil, maxParallel: Int? = nil) -> VirtualKey {
        VirtualKey(
            id: "\(id)_\(Int.random(in: 0..<1_000_000_000))", name: id, keyHash: KeyMaterial.hash("sk-sy-\(id)-\(Int.random(in: 0..<1_000_000))"),
            keyPrefix: "sk-sy-", createdAt: 0, rpm: rpm, tpm: tpm, maxParallel: maxParallel, credits: credits, budget: budget)
    }

    public static func request(_ key: VirtualKey, estimate: Money? = nil, tokens: Int = 10) -> AdmissionRequest {
        AdmissionRequest(key: key, requestID: "req_\(Int.random(in: 0..<Int.max))", estimatedTokens: tokens, estimate: estimate)
    }

    static let unit = Money(nanos: 1_000_000)

    /// The refusal of `request`, or nil when it was admitted (its hold is released).
    public static func refusal(_ accountant: any Accountant, _ request: AdmissionRequest) async -> GatewayError? {
        do throws(GatewayError) {
            let hold = try await accountant.admit(request)
            await accountant.release(hold)
            return nil
        } catch {
            return error
        }
    }

    public static func run(make: Factory) async throws {
        try await unlimitedKeysHoldNothing(make)
        try await creditsAdmitExactlyWhatTheBalanceCoversUnderConcurrency(make)
        try await aReleasedHoldGoesBackToTheKey(make)
        try await aChargeNeverExceedsWhatIsLeftNorGoesBelowZero(make)
        try await aBudgetCapsSpendInItsPeriod(make)
        try await theRequestRateAdmitsExactlyItsLimitUnderConcurrency(make)
        try await parallelRequestsAreCappedAndFreedWhenTheyEnd(make)
        try await theTokenRateRefusesOnceSpent(make)
    }

    static func unlimitedKeysHoldNothing(_ make: Factory) async throws {
        let free = key("free")
        let accountant = try await make([free])
        try check(try await accountant.admit(request(free, estimate: nil)) == nil, "an unlimited key got a hold")
        try check(await accountant.settle(nil, keyID: free.id, cost: unit, actualTokens: 5) == unit, "an unlimited key was not charged its cost")
    }

    static func creditsAdmitExactlyWhatTheBalanceCoversUnderConcurrency(_ make: Factory) async throws {
        let paying = key("paying", credits: Money(nanos: unit.nanos * 10))
        let accountant = try await make([paying])
        let outcomes = await withTaskGroup(of: (Bool, Money).self) { group in
            for _ in 0..<40 {
                group.addTask {
                    do {
                        let hold = try await accountant.admit(request(paying, estimate: unit))
                        return (true, await accountant.settle(hold, keyID: paying.id, cost: unit, actualTokens: 10))
                    } catch {
                        return (false, .zero)
                    }
                }
            }
            return await group.reduce(into: [(Bool, Money)]()) { $0.append($1) }
        }
        let admitted = outcomes.filter(\.0).count
        let charged = outcomes.map(\.1).reduce(Money.zero, +)
        try check(admitted == 10, "admitted \(admitted) requests on credits for 10")
        try check(charged == Money(nanos: unit.nanos * 10), "charged \(charged)")
        let empty = await refusal(accountant, request(paying, estimate: Money(nanos: 1)))
        try check(empty?.kind == .insufficientCredits, "an empty key got \(String(describing: empty)), not 402")
    }

    static func aReleasedHoldGoesBackToTheKey(_ make: Factory) async throws {
        let paying = key("release", credits: Money(nanos: unit.nanos * 3))
        let accountant = try await make([paying])
        let hold = try await accountant.admit(request(paying, estimate: Money(nanos: unit.nanos * 3)))
        try check(hold?.amount == Money(nanos: unit.nanos * 3), "the hold is \(String(describing: hold?.amount))")
        let second = try? await accountant.admit(request(paying, estimate: unit))
        try check(second == nil, "the held money was reserved twice")
        await accountant.release(hold)
        let third = try await accountant.admit(request(paying, estimate: Money(nanos: unit.nanos * 3)))
        try check(third != nil, "a released hold did not go back to the key")
    }

    static func aChargeNeverExceedsWhatIsLeftNorGoesBelowZero(_ make: Factory) async throws {
        let paying = key("capped", credits: Money(nanos: unit.nanos * 5))
        let accountant = try await make([paying])
        let hold = try await accountant.admit(request(paying, estimate: unit))
        let charge = await accountant.settle(hold, keyID: paying.id, cost: Money(nanos: unit.nanos * 100), actualTokens: 10)
        try check(charge == Money(nanos: unit.nanos * 5), "charged \(charge) on a balance of 5 units")
        let refund = await accountant.settle(nil, keyID: paying.id, cost: Money(nanos: -unit.nanos), actualTokens: 0)
        try check(refund == .zero, "a negative cost charged \(refund)")
        let after = try? await accountant.admit(request(paying, estimate: Money(nanos: 1)))
        try check(after == nil, "a key charged to zero was admitted again")
    }

    static func aBudgetCapsSpendInItsPeriod(_ make: Factory) async throws {
        let budgeted = key("budget", budget: Budget(amount: Money(nanos: unit.nanos * 4), period: .daily))
        let accountant = try await make([budgeted])
        for _ in 0..<4 {
            let hold = try await accountant.admit(request(budgeted, estimate: unit))
            _ = await accountant.settle(hold, keyID: budgeted.id, cost: unit, actualTokens: 10)
        }
        let spent = await refusal(accountant, request(budgeted, estimate: unit))
        try check(spent?.kind == .insufficientCredits && spent?.message.contains("budget") == true, "a spent budget said: \(String(describing: spent))")
    }

    static func theRequestRateAdmitsExactlyItsLimitUnderConcurrency(_ make: Factory) async throws {
        let limited = key("rpm", rpm: 7)
        let accountant = try await make([limited])
        let results = await withTaskGroup(of: GatewayError?.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    do throws(GatewayError) {
                        let hold = try await accountant.admit(request(limited))
                        _ = await accountant.settle(hold, keyID: limited.id, cost: .zero, actualTokens: 10)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: [GatewayError?]()) { $0.append($1) }
        }
        let admitted = results.filter { $0 == nil }.count
        try check(admitted == 7, "admitted \(admitted) requests on an RPM of 7")
        let refusal = results.compactMap { $0 }.first
        try check(refusal?.kind == .rateLimited && (refusal?.retryAfterSeconds ?? 0) >= 1, "a refusal was \(String(describing: refusal))")
    }

    static func parallelRequestsAreCappedAndFreedWhenTheyEnd(_ make: Factory) async throws {
        let limited = key("parallel", maxParallel: 2)
        let accountant = try await make([limited])
        let first = try await accountant.admit(request(limited))
        let second = try await accountant.admit(request(limited))
        let third = try? await accountant.admit(request(limited))
        try check(first != nil && second != nil && third == nil, "max_parallel 2 admitted a third request")
        _ = await accountant.settle(first, keyID: limited.id, cost: .zero, actualTokens: 1)
        let fourth = try? await accountant.admit(request(limited))
        try check(fourth != nil, "a finished request did not free its parallel slot")
        await accountant.release(second)
        await accountant.release(fourth)
    }

    static func theTokenRateRefusesOnceSpent(_ make: Factory) async throws {
        let limited = key("tpm", tpm: 100)
        let accountant = try await make([limited])
        let hold = try await accountant.admit(request(limited, tokens: 10))
        _ = await accountant.settle(hold, keyID: limited.id, cost: .zero, actualTokens: 500)
        let spent = await refusal(accountant, request(limited, tokens: 10))
        try check(spent?.kind == .rateLimited && spent?.message.contains("Token rate") == true, "an overspent token rate said: \(String(describing: spent))")
    }
}
