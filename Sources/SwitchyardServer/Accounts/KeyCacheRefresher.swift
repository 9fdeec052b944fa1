import Logging
import ServiceLifecycle

/// Reloads the key cache periodically (a Service in the app's group).
struct KeyCacheRefresher: Service {
    let cache: KeyCache
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                do {
                    try await cache.reload()
                } catch {
                    logger.warning("key cache reload failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
