import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the key cache current (a Service in the app's group): every `interval` it reads the keys
/// changed since its last look (an indexed read, however many keys there are — the CLI's and
/// other replicas' edits arrive within the interval), and every `fullInterval` it reloads every
/// key (what no change record shows: rows deleted by hand, a replica's clock far off) — and
/// when a UTC day begins, so budgets whose period starts then count from zero at once.
struct KeyCacheRefresher: Service {
    let cache: KeyCache
    let interval: Duration
    var fullInterval: Duration = .seconds(300)
    let logger: Logger

    /// How far back each look reaches before the previous one: writes stamped by a replica whose
    /// clock is behind, or committed late, are still seen.
    static let overlapSeconds: Int64 = 30

    func run() async throws {
        let state = Mutex((lastFull: ContinuousClock.now, lastLook: Int64(Date().timeIntervalSince1970)))
        await Periodic.run(every: interval) {
            let now = Int64(Date().timeIntervalSince1970)
            let (full, since) = state.withLock { state -> (Bool, Int64) in
                let full = ContinuousClock.now - state.lastFull >= fullInterval || now / 86_400 != state.lastLook / 86_400
                if full { state.lastFull = .now }
                defer { state.lastLook = now }
                return (full, state.lastLook - Self.overlapSeconds)
            }
            do {
                if full {
                    try await cache.reload()
                } else {
                    try await cache.refreshChanged(since: since)
                }
            } catch {
                logger.warning("key cache refresh failed", metadata: ["error": "\(error)", "full": "\(full)"])
            }
        }
    }
}
