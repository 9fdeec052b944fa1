import Foundation
import Logging
import Synchronization
import SwitchyardAccounts
import SwitchyardCore

/// Limits, reservations and charges in Redis, so they hold across every replica of a fleet:
/// one script call admits (rate limits and the reservation together), one settles. Holds carry
/// a lease that this replica renews (`renewLeases`) while the request runs; when a replica dies,
/// its holds lapse and their money and parallel slots return to the key.
///
/// A key's live balance and period spend are seeded from the store the first time Redis lacks
/// them (first use, or after Redis lost its data) and then kept in Redis; the ledger still
/// writes every charge to the store. When Redis cannot be reached, limited keys get a 503, or
/// — with `failOpen` — the per-replica `LocalAccountant` admits them.
package final class RedisAccountant: Accountant {
    /// The store's view of a key, for seeding: its balance and its spend in the current budget
    /// period, including charges this replica has not flushed yet.
    package typealias Seeder = @Sendable (_ key: VirtualKey, _ periodStart: Int64?) async throws -> (balance: Money?, spend: Money)

    package let client: RedisClient
    let local: LocalAccountant
    let failOpen: Bool
    let lease: Duration
    let seeder: Seeder
    let logger: Logger
    /// Shared holds of requests in flight here (hold id → key id): their leases are renewed.
    private let live = Mutex<[String: String]>([:])

    /// The largest amount sent to Redis: Lua compares money as doubles, exact below 2^53.
    static let maxAmount = Money(nanos: 1 << 52)

    package init(client: RedisClient, local: LocalAccountant, failOpen: Bool, lease: Duration, logger: Logger, seeder: @escaping Seeder) {
        self.client = client
        self.local = local
        self.failOpen = failOpen
        self.lease = lease
        self.logger = logger
        self.seeder = seeder
    }

    static func keys(_ id: String, budget: Budget?, now: Int64) -> [String] {
        let base = "switchyard:{\(id)}"
        let period = budget.map { String($0.periodStart(containing: now)) } ?? "none"
        return [base, base + ":leases", base + ":holds", base + ":spend:" + period]
    }

    static func nanos(_ money: Money) -> String { String(min(max(money, .zero), maxAmount).nanos) }

    package func admit(_ request: AdmissionRequest) async throws(GatewayError) -> Hold? {
        guard request.isLimited else { return nil }
        remember(request.key)
        do {
            for _ in 0..<3 {
                if let hold = try await tryAdmit(request) { return hold }
                try await seed(request.key)
            }
            throw GatewayError.gatewayOverloaded("Credits for this key could not be loaded; try again.")
        } catch let error as GatewayError {
            throw error
        } catch {
            logger.warning("redis admission failed", metadata: ["error": "\(error)"])
            guard failOpen else {
                throw .gatewayOverloaded("Rate limits and credits cannot be checked right now (shared state unavailable); try again shortly.")
            }
            return try local.admitNow(request)
        }
    }

    /// nil: the key's balance or spend must be seeded first.
    private func tryAdmit(_ request: AdmissionRequest) async throws -> Hold? {
        let admission = RedisAdmission(request, lease: lease)
        let key = request.key
        live.withLock { $0[request.requestID] = key.id }
        let verdict: RedisAdmission.Verdict
        do {
            let keys = Self.keys(key.id, budget: key.budget, now: Int64(Date().timeIntervalSince1970))
            verdict = try admission.verdict(try await client.run(Self.admit, keys: keys, arguments: admission.arguments))
        } catch {
            live.withLock { $0[request.requestID] = nil }
            throw error
        }
        switch verdict {
        case .admitted(let hold):
            return hold
        case .needsSeed:
            live.withLock { $0[request.requestID] = nil }
            return nil
        case .refused(let error):
            live.withLock { $0[request.requestID] = nil }
            throw error
        }
    }

    private func seed(_ key: VirtualKey) async throws {
        let now = Int64(Date().timeIntervalSince1970)
        let periodStart = key.budget?.periodStart(containing: now)
        let (balance, spend) = try await seeder(key, periodStart)
        // The spend key outlives its period by a day (then a new period's key takes over).
        let ttl = key.budget.map { budget -> Int64 in
            let start = budget.periodStart(containing: now)
            let length: Int64 = switch budget.period {
            case .daily: 86_400
            case .weekly: 7 * 86_400
            case .monthly: 31 * 86_400
            }
            return max(60, start + length - now + 86_400)
        } ?? 60
        _ = try await client.run(
            Self.seed, keys: Self.keys(key.id, budget: key.budget, now: now),
            arguments: [
                key.credits != nil ? "1" : "0", balance.map(Self.nanos) ?? "0", key.budget != nil ? "1" : "0", Self.nanos(spend), String(ttl),
            ])
    }

    package func settle(_ hold: Hold?, keyID: String?, cost: Money, actualTokens: Int) async -> Money {
        let cost = max(cost, .zero)
        if hold?.place == .local { return local.settleNow(hold, keyID: keyID, cost: cost, actualTokens: actualTokens) }
        guard let hold else { return cost }
        live.withLock { $0[hold.requestID] = nil }
        guard let key = settlingKey(hold) else { return cost }
        let now = Int64(Date().timeIntervalSince1970)
        do {
            let reply = try await client.run(
                Self.settle, keys: Self.keys(key.id, budget: key.budget, now: now),
                arguments: [
                    hold.requestID, Self.nanos(cost), String(hold.estimatedTokens - actualTokens), String(key.tpm ?? 0),
                    key.credits != nil ? "1" : "0", key.budget.map { Self.nanos($0.amount) } ?? "",
                ])
            return reply.int.map { Money(nanos: $0) } ?? cost
        } catch {
            // The hold lapses with its lease; the ledger still has the full charge.
            logger.warning("redis settle failed; the hold lapses with its lease", metadata: ["error": "\(error)"])
            return cost
        }
    }

    package func release(_ hold: Hold?) async {
        guard let hold else { return }
        if hold.place == .local { return local.releaseNow(hold) }
        live.withLock { $0[hold.requestID] = nil }
        guard let key = settlingKey(hold) else { return }
        do {
            _ = try await client.run(
                Self.release, keys: Self.keys(key.id, budget: key.budget, now: Int64(Date().timeIntervalSince1970)),
                arguments: [hold.requestID, String(hold.estimatedTokens), String(key.tpm ?? 0)])
        } catch {
            logger.warning("redis release failed; the hold lapses with its lease", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Keys as settling needs them

    /// Limits of each key with holds in flight, as admitted (settling needs its budget and TPM).
    private let admitted = Mutex<[String: VirtualKey]>([:])

    private func settlingKey(_ hold: Hold) -> VirtualKey? {
        admitted.withLock { $0[hold.keyID] }
    }

    /// Remembers the key's limits for settling (called by `admit`).
    func remember(_ key: VirtualKey) {
        admitted.withLock { $0[key.id] = key }
    }

    // MARK: - Leases, top-ups

    /// Extends the lease of every hold in flight here: one pipelined round trip.
    package func renewLeases() async {
        let holds = live.withLock { $0 }
        guard !holds.isEmpty else { return }
        let until = Int64(Date().timeIntervalSince1970 * 1000) + RedisAdmission.milliseconds(lease)
        let commands = holds.map { hold, keyID in RESPCommand("ZADD", "switchyard:{\(keyID)}:leases", "XX", String(until), hold) }
        do {
            _ = try await client.send(commands)
        } catch {
            logger.warning("redis lease renewal failed", metadata: ["holds": "\(holds.count)", "error": "\(error)"])
        }
    }
}
