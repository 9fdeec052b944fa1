import Foundation
import Logging
import ServiceLifecycle
import SwitchyardAccounts

/// Deletes stored responses past `storage.responses_retention_days`, hourly.
struct ResponseRetention: Service {
    let store: any AccountStore
    let retentionSeconds: Int64
    let logger: Logger

    func run() async throws {
        await Periodic.run(every: .seconds(3600)) {
            do {
                let purged = try await store.purgeResponses(createdBefore: Int64(Date().timeIntervalSince1970) - retentionSeconds)
                if purged > 0 { logger.info("stored responses past their retention deleted", metadata: ["count": "\(purged)"]) }
            } catch {
                logger.error("deleting stored responses past their retention failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
