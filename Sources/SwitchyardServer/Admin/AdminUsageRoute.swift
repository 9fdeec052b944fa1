import Foundation
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore

/// `GET /admin/usage?group_by=day|model|key&from=&to=` (times as seconds since 1970 or
/// `YYYY-MM-DD`): ledger totals with money as decimal strings.
struct AdminUsageRoute: Sendable {
    let store: any AccountStore

    func handle(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let grouping = try UsageFormat.grouping(query["group_by"].map(String.init))
        let from = try UsageFormat.time(query["from"].map(String.init), name: "from")
        let to = try UsageFormat.time(query["to"].map(String.init), name: "to")
        let totals = try await store.usage(groupBy: grouping, from: from, to: to)
        // Written directly (a thousand keys' rows cost Foundation's JSONSerialization tens of ms).
        var json = JSONWriter(capacity: 64 + totals.count * 128)
        json.beginObject()
        json.key("data")
        json.beginArray()
        for row in totals { UsageFormat.write(row, to: &json) }
        json.endArray()
        json.key("group_by")
        json.string(grouping.rawValue)
        json.key("object")
        json.string("list")
        json.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}

/// Parsing and rendering shared by the admin endpoint and `switchyard usage`.
public enum UsageFormat {
    public static func grouping(_ text: String?) throws(GatewayError) -> UsageGrouping {
        guard let text else { return .day }
        guard let grouping = UsageGrouping(rawValue: text) else {
            throw .invalidRequest("group_by must be day, model, key or provider.", param: "group_by")
        }
        return grouping
    }

    /// Seconds since 1970 or a `YYYY-MM-DD` day (UTC midnight).
    public static func time(_ text: String?, name: String) throws(GatewayError) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        if let seconds = Int64(text) { return seconds }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        guard let date = formatter.date(from: text) else {
            throw .invalidRequest("\(name) must be seconds since 1970 or YYYY-MM-DD.", param: name)
        }
        return Int64(date.timeIntervalSince1970)
    }

    /// One row as a JSON object, keys sorted: `cache_hits`, `completion_tokens`, `cost_usd` (a
    /// decimal string), `group`, `prompt_tokens`, `requests`, `saved_usd` (what cache hits saved).
    public static func write(_ totals: UsageTotals, to json: inout JSONWriter) {
        json.beginObject()
        json.key("cache_hits")
        json.int(totals.cacheHits)
        json.key("completion_tokens")
        json.int(totals.completionTokens)
        json.key("cost_usd")
        json.string(totals.cost.description)
        json.key("group")
        json.string(totals.group)
        json.key("prompt_tokens")
        json.int(totals.promptTokens)
        json.key("requests")
        json.int(totals.requests)
        json.key("saved_usd")
        json.string(totals.saved.description)
        json.endObject()
    }
}
