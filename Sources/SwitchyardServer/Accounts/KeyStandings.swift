import Foundation
import Synchronization
import SwitchyardAccounts
import SwitchyardCore

/// What a key has left, as a fraction, for routers' budget pressure: of its budget for the
/// current period (left ÷ amount), and of its credits (balance ÷ everything it was given, i.e.
/// balance plus all it has spent) — the smaller of the two. Read from the store (shared by the
/// fleet) and kept per key for `maxAge`, so pressure costs at most a couple of queries per key
/// per interval; a store that cannot be read means no pressure, never a failed request.
final class KeyStandings: Sendable {
    let maxAge: Double
    private let cache = Mutex<[String: (fraction: Double?, at: Double)]>([:])
    private static let capacity = 100_000

    init(maxAge: Double = 30) {
        self.maxAge = maxAge
    }

    func remaining(_ key: VirtualKey, store: any AccountStore, now: Double = Date().timeIntervalSince1970) async -> Double? {
        guard key.credits != nil || key.budget != nil else { return nil }
        if let cached = cache.withLock({ $0[key.id] }), now - cached.at < maxAge { return cached.fraction }
        var fractions: [Double] = []
        if let budget = key.budget, budget.amount > .zero,
            let spent = try? await store.spend(keyID: key.id, since: budget.periodStart(containing: Int64(now)))
        {
            fractions.append(Self.fraction(left: budget.amount - spent, of: budget.amount))
        }
        if let credits = key.credits, let spent = try? await store.spend(keyID: key.id, since: 0) {
            fractions.append(Self.fraction(left: credits, of: credits + spent))
        }
        let fraction = fractions.min()
        cache.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[key.id] = (fraction, now)
        }
        return fraction
    }

    /// `left ÷ total`, within 0…1 (nothing given counts as nothing left).
    static func fraction(left: Money, of total: Money) -> Double {
        guard total > .zero else { return 0 }
        return min(1, max(0, Double(left.nanos) / Double(total.nanos)))
    }
}
