import ArgumentParser
import Foundation
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStorePostgres
import SwitchyardStoreSQLite
import SwitchyardServer

/// Opens the account store a `storage.url` names. It lives here, where the executable is
/// assembled, so the server target depends on neither database driver.
enum AccountStoreFactory {
    static func open(url: String) throws -> any AccountStore {
        if let path = SQLiteAccountStore.path(fromURL: url) { return try SQLiteAccountStore(path: path) }
        if PostgresAccountStore.handles(url: url) { return try PostgresAccountStore(url: url) }
        throw ValidationError("storage.url: unsupported storage (use sqlite://PATH or postgres://user:password@host:port/database)")
    }

    /// Where the ledger journal (the spool of rows the store does not have yet) lives:
    /// `storage.ledger_journal`; else `<sqlite file>.journal` beside a file store, or — with
    /// PostgreSQL — `switchyard-ledger-<host>-<port>.journal` in the working directory, one per
    /// replica; none for an in-memory store, or when set to "".
    static func journalDirectory(_ storage: StorageSettings, server: ServerSettings) -> URL? {
        if let path = storage.ledgerJournal { return path.isEmpty ? nil : URL(fileURLWithPath: path) }
        if PostgresAccountStore.handles(url: storage.url) {
            let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
            return URL(fileURLWithPath: "switchyard-ledger-\(host)-\(server.port).journal")
        }
        guard let path = SQLiteAccountStore.path(fromURL: storage.url), path != ":memory:", !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path + ".journal")
    }
}
