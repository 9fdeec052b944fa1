import Foundation
import SwitchyardCore
import SwitchyardRouting

extension Dashboard {
    /// `/ui/models`: every alias and its deployments — state, latency, in flight, price, context
    /// window. The page's script reloads the table body from `/ui/models/rows` every 2 s.
    func modelsPage() -> Page {
        Page(template: "models", title: "Models", section: .models, data: ["groups": modelGroups()])
    }

    /// Just the table body, for the live refresh.
    func modelRows() -> String {
        assets.render("models-rows", ["groups": modelGroups()])
    }

    private func modelGroups() -> [[String: Any]] {
        let router = gateway.router
        let stats = router.health.snapshot(router.allDeployments.map(\.id))
        return router.aliases.compactMap { alias -> [String: Any]? in
            guard let group = router.group(named: alias) else { return nil }
            let deployments = group.deployments.map { deployment -> [String: Any] in
                let entry = stats[deployment.id]
                let state = AdminModelsRoute.state(entry?.breaker.state ?? .closed)
                return [
                    "provider": deployment.providerName, "upstreamModel": deployment.upstreamModel, "state": state,
                    "healthy": state == "healthy", "weight": deployment.weight,
                    "latency": DashboardFormat.milliseconds(entry?.latency.value.map { $0 * 1000 }),
                    "ttfb": DashboardFormat.milliseconds(entry?.timeToFirstByte.value.map { $0 * 1000 }),
                    "inFlight": entry?.inFlight ?? 0, "errorRate": DashboardFormat.percent(entry?.errorRate ?? 0),
                    "price": (deployment.price ?? group.price).map(Self.priceText) ?? "unpriced",
                ]
            }
            return [
                "alias": alias, "strategy": group.strategy.rawValue, "context": group.contextWindow.map(DashboardFormat.count) ?? "–",
                "fallbacks": group.fallbacks.isEmpty ? "–" : group.fallbacks.joined(separator: ", "), "deployments": deployments,
                "span": deployments.count,
            ]
        }
    }

    /// `$0.15 / $0.60` per million input / output tokens.
    static func priceText(_ price: Price) -> String {
        "$\(Self.decimal(price.input)) / $\(Self.decimal(price.output))"
    }

    private static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") && !text.hasSuffix(".00") { text.removeLast() }
        return text
    }
}
