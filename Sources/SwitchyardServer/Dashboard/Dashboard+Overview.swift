import Foundation
import SwitchyardAccounts
import SwitchyardRouting
import SwitchyardCore

extension Dashboard {
    /// `/ui`: for an operator, the last 24 h and 7 d at a glance and savings from routing over
    /// 30 days; for a key holder, their key.
    func overview(_ viewer: Viewer) async throws -> Page {
        if let key = viewer.key { return try await keyOverview(key) }
        let now = Self.now
        var windows: [[String: Any]] = []
        for (label, seconds) in [("Last 24 hours", Int64(86_400)), ("Last 7 days", Int64(7 * 86_400))] {
            windows.append(try await summary(label: label, from: now - seconds, to: now + 1, keyID: nil, routed: true))
        }
        let firstDay = DashboardFormat.dayStart(now) - 29 * 86_400
        let summary = routingSavings.summarize(try await store.routedUsage(from: firstDay, to: now + 1))
        let days = Self.days(from: firstDay, count: 30)
        let savings = days.map { SVGChart.Point(label: String($0.dropFirst(5)), value: DashboardFormat.dollars(summary.byDay[$0]?.savings ?? .zero)) }
        let spendByDay = try await store.usage(UsageQuery(groupBy: .day, from: firstDay, to: now + 1))
        let spend = Self.series(days: days, totals: spendByDay)
        return Page(template: "overview", title: "Overview", section: .overview, data: [
            "windows": windows,
            "savings30": DashboardFormat.money(summary.all.savings),
            "savingsChart": SVGChart.bars(savings, title: "Savings from routing per day, last 30 days", unit: "$"),
            "spendChart": SVGChart.bars(spend, title: "Spend per day, last 30 days", unit: "$"),
        ])
    }

    /// A window's requests, tokens, spend, error rate and latency (and, for operators, routing).
    func summary(label: String, from: Int64, to: Int64, keyID: String?, routed: Bool) async throws -> [String: Any] {
        let totals = try await store.usage(UsageQuery(groupBy: .provider, from: from, to: to, keyID: keyID))
        let stats = try await store.ledgerStats(from: from, to: to, keyID: keyID)
        var data: [String: Any] = [
            "label": label,
            "requests": DashboardFormat.count(totals.reduce(0) { $0 + $1.requests }),
            "tokens": DashboardFormat.count(totals.reduce(0) { $0 &+ $1.promptTokens &+ $1.completionTokens }),
            "spend": DashboardFormat.money(totals.reduce(Money.zero) { $0 + $1.cost }),
            "errorRate": DashboardFormat.percent(stats.errorRate),
            "p50": DashboardFormat.milliseconds(stats.p50LatencyMs),
            "p95": DashboardFormat.milliseconds(stats.p95LatencyMs),
        ]
        if routed {
            let routing = routingSavings.summarize(try await store.routedUsage(from: DashboardFormat.dayStart(from), to: to)).all
            data["routed"] = DashboardFormat.count(routing.requests)
            data["strongShare"] = routing.requests == 0 ? "–" : DashboardFormat.percent(routing.strongShare)
            data["savings"] = DashboardFormat.money(routing.savings)
        }
        return data
    }

    /// A key holder's view of their key: balance, budget, limits, models, usage, recent requests.
    func keyOverview(_ key: VirtualKey) async throws -> Page {
        let now = Self.now
        var data = try await keyFacts(key)
        data["windows"] = [
            try await summary(label: "Last 24 hours", from: now - 86_400, to: now + 1, keyID: key.id, routed: false),
            try await summary(label: "Last 7 days", from: now - 7 * 86_400, to: now + 1, keyID: key.id, routed: false),
        ]
        let firstDay = DashboardFormat.dayStart(now) - 29 * 86_400
        let spend = Self.series(
            days: Self.days(from: firstDay, count: 30), totals: try await store.usage(UsageQuery(groupBy: .day, from: firstDay, to: now + 1, keyID: key.id)))
        data["spendChart"] = SVGChart.bars(spend, title: "Spend per day, last 30 days", unit: "$")
        data["recent"] = logRows(try await store.ledger(LedgerQuery(keyID: key.id, limit: 10)), names: [key.id: key.name])
        return Page(template: "key-overview", title: "My key", section: .overview, data: data)
    }

    /// What a key is and may do, for its pages.
    func keyFacts(_ key: VirtualKey) async throws -> [String: Any] {
        let now = Self.now
        var data: [String: Any] = [
            "id": key.id, "name": key.name, "prefix": key.keyPrefix, "owner": key.owner ?? "",
            "created": DashboardFormat.time(key.createdAt),
            "status": key.revokedAt != nil ? "revoked" : key.isActive(at: now) ? "active" : "expired",
            "active": key.isActive(at: now),
            "credits": key.credits.map(DashboardFormat.money) ?? "unlimited",
            "models": key.models.isEmpty ? "all models" : key.models.joined(separator: ", "),
            "modelsField": key.models.joined(separator: ", "),
            "rpm": key.rpm.map(DashboardFormat.count) ?? "–", "tpm": key.tpm.map(DashboardFormat.count) ?? "–",
            "parallel": key.maxParallel.map(DashboardFormat.count) ?? "–",
            "rpmField": key.rpm.map(String.init) ?? "", "tpmField": key.tpm.map(String.init) ?? "",
            "parallelField": key.maxParallel.map(String.init) ?? "",
        ]
        if let budget = key.budget {
            let spent = try await store.spend(keyID: key.id, since: budget.periodStart(containing: now))
            data["budget"] = "\(DashboardFormat.money(spent)) of \(DashboardFormat.money(budget.amount)) \(budget.period.rawValue)"
            data["budgetAmountField"] = budget.amount.description
            data["budgetPeriod"] = budget.period.rawValue
        } else {
            data["budget"] = "none"
        }
        data["periods"] = ["daily", "weekly", "monthly"].map { ["value": $0, "selected": $0 == (key.budget?.period.rawValue ?? "monthly")] }
        return data
    }

    /// `YYYY-MM-DD` for `count` days from `start`.
    static func days(from start: Int64, count: Int) -> [String] {
        (0..<count).map { CivilDate(daysSince1970: start / 86_400 + Int64($0)).iso8601 }
    }

    /// Spend per day as chart points (days without rows are zero).
    static func series(days: [String], totals: [UsageTotals]) -> [SVGChart.Point] {
        let byDay = Dictionary(totals.map { ($0.group, $0.cost) }, uniquingKeysWith: +)
        return days.map { SVGChart.Point(label: String($0.dropFirst(5)), value: DashboardFormat.dollars(byDay[$0] ?? .zero)) }
    }
}
