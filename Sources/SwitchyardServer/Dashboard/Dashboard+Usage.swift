import Foundation
import SwitchyardRouting
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore

extension Dashboard {
    /// The usage page's choices: a range in days and a grouping.
    struct UsageSelection {
        var days: Int
        var grouping: UsageGrouping

        static let ranges = [1, 7, 30, 90]

        init(_ request: Request) {
            let days = request.uri.queryParameters.get("days").flatMap { Int($0) } ?? 30
            self.days = Self.ranges.contains(days) ? days : 30
            self.grouping = request.uri.queryParameters.get("group").flatMap(UsageGrouping.init(rawValue:)) ?? .model
        }
    }

    /// The rows a table or CSV shows at most (the biggest spenders first).
    static let usageRowLimit = 1000

    /// `/ui/usage`: spend and tokens by day, model, key or provider; a key holder sees their key's.
    func usagePage(_ request: Request, viewer: Viewer) async throws -> Page {
        let selection = UsageSelection(request)
        let (totals, names) = try await usageRows(selection, viewer: viewer)
        let now = Self.now
        let firstDay = DashboardFormat.dayStart(now) - Int64(selection.days - 1) * 86_400
        let daily = selection.grouping == .day
            ? totals : try await store.usage(UsageQuery(groupBy: .day, from: firstDay, to: now + 1, keyID: viewer.key?.id))
        let days = Self.days(from: firstDay, count: selection.days)
        let tokensByDay = Dictionary(daily.map { ($0.group, $0.promptTokens &+ $0.completionTokens) }, uniquingKeysWith: &+)
        let rows = totals.map { total -> [String: Any] in
            [
                "group": names[total.group] ?? total.group, "requests": DashboardFormat.count(total.requests),
                "prompt": DashboardFormat.count(total.promptTokens), "completion": DashboardFormat.count(total.completionTokens),
                "cost": DashboardFormat.money(total.cost), "hits": DashboardFormat.count(total.cacheHits),
                "saved": DashboardFormat.money(total.saved),
            ]
        }
        let query = Self.query(["days": String(selection.days), "group": selection.grouping.rawValue])
        return Page(template: "usage", title: "Usage", section: .usage, data: [
            "rows": rows, "empty": rows.isEmpty, "groupLabel": selection.grouping.rawValue.capitalized,
            "ranges": UsageSelection.ranges.map { ["value": $0, "selected": $0 == selection.days] },
            "groupings": UsageGrouping.allCases.filter { viewer.isOperator || $0 != .key }.map {
                ["value": $0.rawValue, "label": $0.rawValue.capitalized, "selected": $0 == selection.grouping]
            },
            "spendChart": SVGChart.bars(Self.series(days: days, totals: daily), title: "Spend per day", unit: "$"),
            "tokensChart": SVGChart.bars(
                days.map { SVGChart.Point(label: String($0.dropFirst(5)), value: Double(tokensByDay[$0] ?? 0)) }, title: "Tokens per day"),
            "csv": "/ui/usage.csv?" + query,
            "truncated": totals.count >= Self.usageRowLimit,
        ])
    }

    /// `/ui/usage.csv`: the same table as CSV.
    func usageCSV(_ request: Request, viewer: Viewer) async throws -> Response {
        let selection = UsageSelection(request)
        let (totals, names) = try await usageRows(selection, viewer: viewer)
        var csv = "\(selection.grouping.rawValue),requests,prompt_tokens,completion_tokens,cost_usd,cache_hits,saved_usd\r\n"
        for total in totals {
            csv += [
                names[total.group] ?? total.group, String(total.requests), String(total.promptTokens), String(total.completionTokens),
                total.cost.description, String(total.cacheHits), total.saved.description,
            ]
                .map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"switchyard-usage-\(selection.grouping.rawValue)-\(selection.days)d.csv\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

    /// The selection's totals, biggest spend first (days in order), and display names for key ids.
    private func usageRows(_ selection: UsageSelection, viewer: Viewer) async throws -> ([UsageTotals], [String: String]) {
        guard selection.grouping != .key || viewer.isOperator else { throw GatewayError.permissionDenied("Usage by key is for operators.") }
        let now = Self.now
        let from = DashboardFormat.dayStart(now) - Int64(selection.days - 1) * 86_400
        var totals = try await store.usage(UsageQuery(groupBy: selection.grouping, from: from, to: now + 1, keyID: viewer.key?.id))
        if selection.grouping != .day {
            totals.sort { ($0.cost, $0.requests, $1.group) > ($1.cost, $1.requests, $0.group) }
        }
        totals = Array(totals.prefix(Self.usageRowLimit))
        var names: [String: String] = [:]
        if selection.grouping == .key {
            for total in totals {
                if let key = keys.key(id: total.group) { names[total.group] = "\(key.name) (\(key.id))" }
            }
        }
        return (totals, names)
    }

    /// A CSV field: quoted when needed, and a leading `= + - @` defused so a spreadsheet never
    /// runs a key name as a formula.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@\t\r".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
