import Foundation
import Logging
import NIOCore
import NIOPosix
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardTesting
import Testing
@testable import SwitchyardRedis

/// The Redis accountant against a real `redis-server`: the conformance suite, then what only a
/// fleet has — replicas sharing limits, leases, Redis going away.
@Suite(.enabled(if: RedisServerProcess.isAvailable, "needs redis-server (scripts/test.sh installs it)"))
struct RedisAccountantTests {
    /// A "replica": its own client and local fallback, seeding from `keys` as the store has them.
    static func replica(
        _ server: RedisServerProcess, keys: [VirtualKey], failOpen: Bool = false, lease: Duration = .seconds(30)
    ) -> RedisAccountant {
        let client = RedisClientTests.client(server)
        let local = LocalAccountant()
        local.refresh(keys, generation: local.generation)
        for key in keys { local.refreshBudget(keyID: key.id, budget: key.budget, storedSpend: .zero, generation: local.generation) }
        let byID = Dictionary(keys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return RedisAccountant(client: client, local: local, failOpen: failOpen, lease: lease, logger: Logger(label: "test")) { key, _ in
            (byID[key.id]?.credits, .zero)
        }
    }

    @Test func passesTheAccountantConformanceSuite() async throws {
        let server = try await RedisServerProcess.launch()
        try await AccountantConformance.run { keys in Self.replica(server, keys: keys) }
    }

    @Test func threeReplicasShareOneBalanceAndOneRate() async throws {
        let server = try await RedisServerProcess.launch()
        let paying = AccountantConformance.key("fleet", credits: Money(nanos: 12_000_000), rpm: 1000)
        let limited = AccountantConformance.key("fleet-rpm", rpm: 9)
        let replicas = (0..<3).map { _ in Self.replica(server, keys: [paying, limited]) }
        let admitted = await withTaskGroup(of: Int.self) { group in
            for index in 0..<60 {
                group.addTask {
                    let replica = replicas[index % 3]
                    guard let hold = try? await replica.admit(AccountantConformance.request(paying, estimate: Money(nanos: 1_000_000))) else { return 0 }
                    _ = await replica.settle(hold, keyID: paying.id, cost: Money(nanos: 1_000_000), actualTokens: 1)
                    return 1
                }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 12)
        var rpmAdmitted = 0
        for index in 0..<30 where (try? await replicas[index % 3].admit(AccountantConformance.request(limited))) != nil { rpmAdmitted += 1 }
        #expect(rpmAdmitted == 9)
    }

    @Test func theHoldsOfAReplicaThatDiesReturnToTheKeyAfterTheLease() async throws {
        let server = try await RedisServerProcess.launch()
        let paying = AccountantConformance.key("lease", credits: Money(nanos: 5_000_000), maxParallel: 1)
        // Three-second leases: wide margins for a loaded machine around each step below.
        let dying = Self.replica(server, keys: [paying], lease: .seconds(3))
        let survivor = Self.replica(server, keys: [paying], lease: .seconds(3))
        _ = try await dying.admit(AccountantConformance.request(paying, estimate: Money(nanos: 5_000_000)))
        // "Dies": never settles nor renews. Until the lease ends, its hold stands.
        #expect((try? await survivor.admit(AccountantConformance.request(paying, estimate: Money(nanos: 1)))) == nil)
        try await Task.sleep(for: .milliseconds(3500))
        let hold = try await survivor.admit(AccountantConformance.request(paying, estimate: Money(nanos: 5_000_000)))
        #expect(hold != nil)

        // A live replica renews its leases: its hold outlives the lease.
        try await Task.sleep(for: .milliseconds(1000))
        await survivor.renewLeases()
        try await Task.sleep(for: .milliseconds(2300))
        #expect((try? await dying.admit(AccountantConformance.request(paying, estimate: Money(nanos: 1)))) == nil)
        _ = await survivor.settle(hold, keyID: paying.id, cost: Money(nanos: 2_000_000), actualTokens: 1)
        #expect(try await dying.admit(AccountantConformance.request(paying, estimate: Money(nanos: 3_000_000))) != nil)
    }

    @Test func withoutRedisLimitedKeysGet503UnlessFailOpenAdmitsThemLocally() async throws {
        let server = try await RedisServerProcess.launch()
        let paying = AccountantConformance.key("down", credits: Money(nanos: 2_000_000))
        let free = AccountantConformance.key("down-free")
        let closed = Self.replica(server, keys: [paying])
        let open = Self.replica(server, keys: [paying], failOpen: true)
        await server.crash()
        let refusal = await AccountantConformance.refusal(closed, AccountantConformance.request(paying, estimate: Money(nanos: 1_000_000)))
        #expect(refusal?.status == 503)
        #expect(try await closed.admit(AccountantConformance.request(free)) == nil)
        let local = try await open.admit(AccountantConformance.request(paying, estimate: Money(nanos: 2_000_000)))
        #expect(local?.place == .local)
        #expect((try? await open.admit(AccountantConformance.request(paying, estimate: Money(nanos: 1)))) == nil)
        #expect(await open.settle(local, keyID: paying.id, cost: Money(nanos: 500_000), actualTokens: 1) == Money(nanos: 500_000))

        // Redis back (empty): balances are seeded again and admission works within moments.
        try await server.restart()
        var hold: Hold?
        for _ in 0..<100 where hold == nil {
            hold = try? await closed.admit(AccountantConformance.request(paying, estimate: Money(nanos: 1_000_000)))
            if hold == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(hold?.place == .shared)
    }

    @Test func aTopUpReachesEveryReplicaAtOnce() async throws {
        let server = try await RedisServerProcess.launch()
        let paying = AccountantConformance.key("topup", credits: Money(nanos: 1_000_000))
        let one = Self.replica(server, keys: [paying])
        let two = Self.replica(server, keys: [paying])
        let hold = try await one.admit(AccountantConformance.request(paying, estimate: Money(nanos: 1_000_000)))
        _ = await one.settle(hold, keyID: paying.id, cost: Money(nanos: 1_000_000), actualTokens: 1)
        #expect((try? await two.admit(AccountantConformance.request(paying, estimate: Money(nanos: 1)))) == nil)
        try await RedisKeyEvents(client: one.client).announce(keyID: paying.id, .creditsAdded(Money(nanos: 3_000_000)))
        #expect(try await two.admit(AccountantConformance.request(paying, estimate: Money(nanos: 3_000_000))) != nil)
    }
}
