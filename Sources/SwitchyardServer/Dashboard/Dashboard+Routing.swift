import Foundation
import SwitchyardAccounts
import SwitchyardRouting
import SwitchyardCore

extension Dashboard {
    /// `/ui/routing`: per router, decisions per day over 30 days, strong share against its
    /// target, threshold, feedback counts and savings.
    func routingPage() async throws -> Page {
        let now = Self.now
        let firstDay = DashboardFormat.dayStart(now) - 29 * 86_400
        let rows = try await store.routedUsage(from: firstDay, to: now + 1)
        let savings = routingSavings
        let days = Self.days(from: firstDay, count: 30)
        var routers: [[String: Any]] = []
        for settings in gateway.configuration.routers {
            let mine = rows.filter { $0.router == settings.name }
            let summary = savings.summarize(mine)
            let reference = savings.references[settings.name]
            routers.append([
                "name": settings.name, "kind": settings.kind.rawValue,
                "targets": settings.aliases.joined(separator: ", "),
                "reference": reference?.alias ?? "–",
                "threshold": settings.threshold.map { String($0) } ?? "calibrated",
                "target": settings.strongShare.map(DashboardFormat.percent) ?? "–",
                "decisions": DashboardFormat.count(summary.all.requests),
                "strongShare": summary.all.requests == 0 ? "–" : DashboardFormat.percent(summary.all.strongShare),
                "cost": DashboardFormat.money(summary.all.cost), "wouldHaveCost": DashboardFormat.money(summary.all.reference),
                "savings": DashboardFormat.money(summary.all.savings),
                "feedback": DashboardFormat.count(try await store.feedbackCount(router: settings.name)),
                "decisionsChart": SVGChart.bars(
                    days.map { SVGChart.Point(label: String($0.dropFirst(5)), value: Double(summary.byDay[$0]?.requests ?? 0)) },
                    title: "\(settings.name): decisions per day"),
                "shareChart": SVGChart.bars(
                    days.map { SVGChart.Point(label: String($0.dropFirst(5)), value: (summary.byDay[$0]?.strongShare ?? 0) * 100) },
                    title: "\(settings.name): strong share per day (%)", unit: "%"),
            ])
        }
        return Page(template: "routing", title: "Routing", section: .routing, data: ["routers": routers, "empty": routers.isEmpty])
    }
}
