import Foundation
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore

/// `GET /admin/routing?from=&to=` (seconds since 1970 or `YYYY-MM-DD`; default the last 30
/// days): per router, what it decided and what that saved — `RoutingReport`.
struct AdminRoutingRoute: Sendable {
    let configuration: GatewayConfiguration
    let store: any AccountStore

    func handle(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let (from, to) = try RoutingReport.period(
            from: try UsageFormat.time(query["from"].map(String.init), name: "from"), to: try UsageFormat.time(query["to"].map(String.init), name: "to"))
        let report = try await RoutingReport.build(configuration: configuration, store: store, from: from, to: to)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: RoutingReport.json(report, from: from, to: to).serialized)))
    }
}

/// Per router and period: decisions, strong share (against its target), and the cost of what
/// was served against what the same tokens cost at the strong alias's price — the savings; for
/// a shadow router also what routing would cost and save if it were switched on. The admin
/// endpoint's and `switchyard router report`'s, for live and shadow routers alike.
package enum RoutingReport {
    package struct Row: Sendable {
        package var router: String
        package var kind: String
        /// `live`, or `shadow` (decisions recorded, `default` served).
        package var mode: String
        package var reference: String?
        package var targetShare: Double?
        package var decisions: Int
        package var strong: Int
        package var cost: Money
        package var atReference: Money
        package var projected: Money
        package var days: [(day: String, decisions: Int, strong: Int, cost: Money, savings: Money)]

        package var strongShare: Double? { decisions == 0 ? nil : Double(strong) / Double(decisions) }
        package var savings: Money { atReference - cost }
        package var projectedSavings: Money { atReference - projected }
    }

    /// The period asked for: `from` defaults to 30 days before `to` (whole days), `to` to now.
    package static func period(from: Int64?, to: Int64?, now: Int64 = Int64(Date().timeIntervalSince1970)) throws(GatewayError) -> (Int64, Int64) {
        let end = to ?? now + 1
        let start = from ?? (end - ((end % 86_400) + 86_400) % 86_400 - 29 * 86_400)
        guard start < end else { throw .invalidRequest("from must be before to.", param: "from") }
        return (start, end)
    }

    package static func build(configuration: GatewayConfiguration, store: any AccountStore, from: Int64, to: Int64) async throws -> [Row] {
        let rows = try await store.routedUsage(from: from, to: to)
        let savings = RoutingSavings(configuration: configuration)
        return configuration.routers.map { settings in
            let summary = savings.summarize(rows.filter { $0.router == settings.name })
            return Row(
                router: settings.name, kind: settings.kind.rawValue, mode: settings.shadow ? "shadow" : "live",
                reference: savings.references[settings.name]?.alias, targetShare: settings.strongShare, decisions: summary.all.requests,
                strong: summary.all.strong, cost: summary.all.cost, atReference: summary.all.reference, projected: summary.all.projected,
                days: summary.byDay.keys.sorted().compactMap { day in
                    summary.byDay[day].map { (day, $0.requests, $0.strong, $0.cost, $0.savings) }
                })
        }
    }

    package static func json(_ report: [Row], from: Int64, to: Int64) -> JSONValue {
        .record([
            "object": .string("list"), "from": .int(Int(from)), "to": .int(Int(to)),
            "data": .array(report.map { row in
                .record([
                    "router": .string(row.router), "kind": .string(row.kind), "mode": .string(row.mode),
                    "reference": row.reference.map(JSONValue.string) ?? .null,
                    "target_strong_share": row.targetShare.map(JSONValue.double) ?? .null,
                    "decisions": .int(row.decisions), "strong": .int(row.strong),
                    "strong_share": row.strongShare.map(JSONValue.double) ?? .null,
                    "cost_usd": .string(row.cost.description), "at_reference_usd": .string(row.atReference.description),
                    "savings_usd": .string(row.savings.description),
                    "projected_cost_usd": .string(row.projected.description), "projected_savings_usd": .string(row.projectedSavings.description),
                    "days": .array(row.days.map { day in
                        .record([
                            "day": .string(day.day), "decisions": .int(day.decisions), "strong": .int(day.strong),
                            "cost_usd": .string(day.cost.description), "savings_usd": .string(day.savings.description),
                        ])
                    }),
                ])
            }),
        ])
    }
}
