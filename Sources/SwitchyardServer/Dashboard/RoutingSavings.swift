import Foundation
import SwitchyardAccounts
import SwitchyardRouting
import SwitchyardCore

/// What routing saved: routed requests' cost against what they would have cost at their router's
/// reference alias (its strong alias; for routers without one, the priciest target). Pure: the
/// dashboard, `GET /admin/routing` and `switchyard router report` feed it ledger totals and prices.
///
/// A shadow router's rows (label `shadow:strong` / `shadow:weak`) were served by its `default`
/// alias: they count as strong by what the router decided, and `projected` prices their tokens at
/// the alias it would have chosen — what routing would cost if it were switched on.
struct RoutingSavings: Sendable {
    /// A router's reference alias and that alias's price (and a learned router's weak alias's).
    struct Reference: Sendable {
        var alias: String
        var price: Price?
        var weakPrice: Price?
    }

    struct Totals: Sendable, Equatable {
        var requests = 0
        /// Requests served by the reference alias.
        var strong = 0
        var cost = Money.zero
        /// What the same tokens cost at the reference alias's price.
        var reference = Money.zero
        /// What the router's choices cost: the served cost, or for shadow rows the tokens at the
        /// price of the alias the router chose.
        var projected = Money.zero

        var savings: Money { reference - cost }
        /// What routing saves (or, in shadow mode, would save) against the reference alias.
        var projectedSavings: Money { reference - projected }
        var strongShare: Double { requests == 0 ? 0 : Double(strong) / Double(requests) }

        mutating func add(_ other: Totals) {
            requests += other.requests
            strong += other.strong
            cost = cost + other.cost
            reference = reference + other.reference
            projected = projected + other.projected
        }
    }

    let references: [String: Reference]

    /// One row's totals; a row of a router without a reference counts at its own cost.
    func totals(_ row: RoutedUsage) -> Totals {
        let reference = references[row.router]
        func cost(at price: Price?) -> Money? {
            price.map { Money(nanos: $0.costNanos(of: Usage(promptTokens: row.promptTokens, completionTokens: row.completionTokens))) }
        }
        let atReference = cost(at: reference?.price) ?? row.cost
        guard row.label.hasPrefix("shadow:") else {
            return Totals(
                requests: row.requests, strong: row.model == reference?.alias ? row.requests : 0, cost: row.cost, reference: atReference,
                projected: row.cost)
        }
        let strong = row.label == "shadow:strong"
        let projected = (strong ? atReference : cost(at: reference?.weakPrice)) ?? row.cost
        return Totals(requests: row.requests, strong: strong ? row.requests : 0, cost: row.cost, reference: atReference, projected: projected)
    }

    /// Totals of all rows, per day and per router.
    func summarize(_ rows: [RoutedUsage]) -> (all: Totals, byDay: [String: Totals], byRouter: [String: Totals]) {
        var all = Totals()
        var byDay: [String: Totals] = [:]
        var byRouter: [String: Totals] = [:]
        for row in rows {
            let totals = totals(row)
            all.add(totals)
            byDay[row.day, default: Totals()].add(totals)
            byRouter[row.router, default: Totals()].add(totals)
        }
        return (all, byDay, byRouter)
    }
}

extension RoutingSavings {
    /// Each configured router's reference alias and price, from the configuration (prices as
    /// configured, else the catalog's).
    init(configuration: GatewayConfiguration) {
        func price(of alias: String) -> Price? {
            guard let model = configuration.model(named: alias) else { return nil }
            return model.price ?? model.targets.first.flatMap { configuration.price(of: $0, in: model) }
        }
        var references: [String: Reference] = [:]
        for settings in configuration.routers {
            let alias = settings.strong ?? settings.aliases.max { (price(of: $0)?.perMillionSum ?? 0) < (price(of: $1)?.perMillionSum ?? 0) }
            if let alias { references[settings.name] = .init(alias: alias, price: price(of: alias), weakPrice: settings.weak.flatMap(price(of:))) }
        }
        self.init(references: references)
    }
}

extension Price {
    /// Input plus output USD per million tokens: how routers' targets are ranked by price.
    var perMillionSum: Double { input + output }
}
