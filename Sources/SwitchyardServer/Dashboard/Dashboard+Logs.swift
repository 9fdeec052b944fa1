import Foundation
import Hummingbird
import SwitchyardRouting
import SwitchyardAccounts
import SwitchyardCore

extension Dashboard {
    /// `/ui/logs`: recent requests, newest first, filtered by key, model and status, paged. A
    /// key holder sees only their key's. Rows appear once the ledger is flushed (every 200 ms).
    func logsPage(_ request: Request, viewer: Viewer) async throws -> Page {
        let parameters = request.uri.queryParameters
        let keyFilter = viewer.key?.id ?? parameters.get("key").flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        let model = parameters.get("model").flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        let statusText = parameters.get("status").flatMap { $0.isEmpty ? nil : $0 }
        let status = statusText.flatMap(LedgerQuery.StatusFilter.init)
        if statusText != nil, status == nil {
            throw GatewayError.invalidRequest("Status must be ok, error or a status code.", param: "status")
        }
        let cursor = parameters.get("after").flatMap(PageCursor.init(token:))
        let entries = try await store.ledger(LedgerQuery(keyID: keyFilter, model: model, status: status, before: cursor, limit: Self.pageSize + 1))
        let shown = Array(entries.prefix(Self.pageSize))
        var data: [String: Any] = [
            "rows": logRows(shown, names: [:]), "empty": shown.isEmpty,
            "key": viewer.isOperator ? keyFilter ?? "" : "", "model": model ?? "",
            "statuses": [("", "any"), ("ok", "ok"), ("error", "errors")].map { value, label in
                ["value": value, "label": label, "selected": value == (status?.text ?? "")]
            },
            "models": gateway.router.aliases.map { ["value": $0, "selected": $0 == model] },
        ]
        if entries.count > Self.pageSize, let last = shown.last {
            data["next"] = "/ui/logs?" + Self.query([
                "key": viewer.isOperator ? keyFilter : nil, "model": model, "status": status?.text,
                "after": PageCursor(createdAt: last.createdAt, id: last.requestID).token,
            ])
        }
        return Page(template: "logs", title: "Logs", section: .logs, data: data)
    }

    /// `/ui/logs/{id}`: one request's ledger row.
    func logPage(requestID: String, viewer: Viewer) async throws -> Page {
        guard let entry = try await store.ledgerEntries(requestID: requestID).first, viewer.isOperator || entry.keyID == viewer.key?.id else {
            throw GatewayError.notFound("No request with id \(requestID.excerpt).")
        }
        var data = logRows([entry], names: [:]).first ?? [:]
        data["upstreamModel"] = entry.upstreamModel
        data["cached"] = DashboardFormat.count(entry.cachedTokens)
        data["reasoning"] = DashboardFormat.count(entry.reasoningTokens)
        data["estimated"] = entry.estimated ? "yes" : "no"
        data["ttft"] = DashboardFormat.milliseconds(entry.timeToFirstTokenMs)
        data["attempts"] = entry.attempts
        data["stream"] = entry.stream ? "yes" : "no"
        return Page(template: "log", title: "Request \(entry.requestID.excerpt)", section: .logs, data: data)
    }

    /// Ledger rows as the logs table shows them.
    func logRows(_ entries: [LedgerEntry], names: [String: String]) -> [[String: Any]] {
        entries.map { entry in
            let keyName = entry.keyID.map { names[$0] ?? keys.key(id: $0)?.name ?? $0 } ?? "master / anonymous"
            return [
                "id": entry.requestID, "time": DashboardFormat.time(entry.createdAt), "keyName": keyName, "keyID": entry.keyID ?? "",
                "model": entry.model, "route": entry.route ?? "–", "provider": entry.provider, "status": entry.status, "failed": entry.status >= 400,
                "tokens": DashboardFormat.count(entry.promptTokens &+ entry.completionTokens),
                "prompt": DashboardFormat.count(entry.promptTokens), "completion": DashboardFormat.count(entry.completionTokens),
                // An unpriced row's zero is not what the provider bills: say so instead of "$0".
                "cost": entry.unpriced ? "unpriced" : DashboardFormat.money(entry.cost), "latency": DashboardFormat.milliseconds(entry.latencyMs),
            ]
        }
    }
}
