import Foundation
import SwitchyardAccounts
import SwitchyardRouting
import SwitchyardCore

/// What routing saved: routed requests' cost against what they would have cost at their router's
/// reference alias (its strong alias; for routers without one, the priciest target). Pure: the
/// dashboard and its tests feed it ledger totals and prices.
struct RoutingSavings: Sendable {
    /// A router's reference alias and that alias's price.
    struct Reference: Sendable {
        var alias: String
        var price: Price?
    }

    struct Totals: Sendable, Equatable {
        var requests = 0
        /// Requests served by the reference alias.
        var strong = 0
        var cost = Money.zero
        /// What the same tokens cost at the reference alias's price.
        var reference = Money.zero

        var savings: Money { reference - cost }
        var strongShare: Double { requests == 0 ? 0 : Double(strong) / Double(requests) }

        mutating func add(_ other: Totals) {
            requests += other.requests
            strong += other.strong
            cost = cost + other.cost
            reference = reference + other.reference
        }
    }

    let references: [String: Reference]

    /// One row's totals; a row of a router without a reference counts at its own cost.
    func totals(_ row: RoutedUsage) -> Totals {
        let reference = references[row.router]
        let atReference = reference?.price.map {
            Money(nanos: $0.costNanos(of: Usage(promptTokens: row.promptTokens, completionTokens: row.completionTokens)))
        } ?? row.cost
        return Totals(requests: row.requests, strong: row.model == reference?.alias ? row.requests : 0, cost: row.cost, reference: atReference)
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

extension Dashboard {
    /// Each configured router's reference alias and price (built once, with the dashboard).
    static func routingSavings(_ gateway: Gateway) -> RoutingSavings {
        func price(of alias: String) -> Price? {
            guard let group = gateway.router.group(named: alias) else { return nil }
            return group.price ?? group.deployments.first?.price
        }
        var references: [String: RoutingSavings.Reference] = [:]
        for settings in gateway.configuration.routers {
            let alias = settings.strong ?? settings.aliases.max { (price(of: $0)?.perMillionSum ?? 0) < (price(of: $1)?.perMillionSum ?? 0) }
            if let alias { references[settings.name] = .init(alias: alias, price: price(of: alias)) }
        }
        return RoutingSavings(references: references)
    }
}

extension Price {
    /// Input plus output USD per million tokens: how routers' targets are ranked by price.
    var perMillionSum: Double { input + output }
}
