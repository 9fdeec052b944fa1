import ArgumentParser
import Foundation
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardServer

/// `switchyard usage --by day|model|key|provider [--from --to] [--json]`: ledger totals, read from the
/// store directly (server running or not).
struct UsageReport: ParsableCommand, AsyncRunnableCommand {
    static let configuration = CommandConfiguration(commandName: "usage", abstract: "Show usage and cost from the ledger.")
    @OptionGroup var store: Keys.StoreOptions
    @Option(help: "Group by day, model, key or provider.") var by: String = "day"
    @Option(help: "From (seconds since 1970 or YYYY-MM-DD).") var from: String?
    @Option(help: "To, exclusive (seconds since 1970 or YYYY-MM-DD).") var to: String?
    @Flag(help: "JSON lines instead of a table.") var json = false

    func runAsync() async throws {
        let totals = try await store.open().usage(
            groupBy: try UsageFormat.grouping(by), from: try UsageFormat.time(from, name: "from"), to: try UsageFormat.time(to, name: "to"))
        for row in totals {
            if json {
                var line = JSONWriter()
                UsageFormat.write(row, to: &line)
                print(String(decoding: line.bytes, as: UTF8.self))
            } else {
                print("\(row.group)\trequests=\(row.requests)\tprompt=\(row.promptTokens)\tcompletion=\(row.completionTokens)\tcost=\(row.cost) USD")
            }
        }
    }
}
