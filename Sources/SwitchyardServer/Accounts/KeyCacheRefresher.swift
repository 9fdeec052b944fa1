import Logging
import ServiceLifecycle

/// Reloads the key cache periodically (a Service in the app's group).
struct KeyCacheRefresher: Service {
    let cache: KeyCache
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await Periodic.run(every: interval) {
            do {
                try await cache.reload()
            } catch {
                logger.warning("key cache reload failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
