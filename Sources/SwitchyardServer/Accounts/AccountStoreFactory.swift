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
}
