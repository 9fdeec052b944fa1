import Foundation
import Logging
import ServiceLifecycle
import SwitchyardAccounts

/// Deletes, hourly, stored responses past `storage.responses_retention_days` and raw ledger rows
/// past `storage.ledger_retention_days` (when set; the store's rollups keep their totals).
struct Retention: Service {
    let store: any AccountStore
    let responsesSeconds: Int64
    /// nil: the ledger is kept forever.
    let ledgerSeconds: Int64?
    let logger: Logger

    func run() async throws {
        await Periodic.run(every: .seconds(3600)) { await purge() }
    }

    func purge() async {
        let now = Int64(Date().timeIntervalSince1970)
        do {
            let purged = try await store.purgeResponses(createdBefore: now - responsesSeconds)
            if purged > 0 { logger.info("stored responses past their retention deleted", metadata: ["count": "\(purged)"]) }
        } catch {
            logger.error("deleting stored responses past their retention failed", metadata: ["error": "\(error)"])
        }
        do {
            _ = try await store.purgeSessions(expiredBefore: now)
        } catch {
            logger.error("deleting expired dashboard sessions failed", metadata: ["error": "\(error)"])
        }
        guard let ledgerSeconds else { return }
        do {
            let purged = try await store.purgeLedger(createdBefore: now - ledgerSeconds)
            if purged > 0 { logger.info("ledger rows past their retention deleted", metadata: ["count": "\(purged)"]) }
        } catch {
            logger.error("deleting ledger rows past their retention failed", metadata: ["error": "\(error)"])
        }
    }
}
