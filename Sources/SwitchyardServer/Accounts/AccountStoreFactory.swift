import Foundation
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite

/// Opens the account store a `storage.url` names.
public enum AccountStoreFactory {
    public static func open(url: String) throws -> any AccountStore {
        if let path = SQLiteAccountStore.path(fromURL: url) { return try SQLiteAccountStore(path: path) }
        throw ConfigurationErrors(issues: [
            ConfigurationIssue(path: "storage.url", message: "unsupported storage \"\(url)\" (this version supports sqlite://PATH)")
        ])
    }

    /// Where the ledger journal lives: `storage.ledger_journal`, else `<sqlite file>.journal`
    /// (none for an in-memory store, or when set to "").
    public static func journalDirectory(_ storage: StorageSettings) -> URL? {
        if let path = storage.ledgerJournal { return path.isEmpty ? nil : URL(fileURLWithPath: path) }
        guard let path = SQLiteAccountStore.path(fromURL: storage.url), path != ":memory:", !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path + ".journal")
    }
}
