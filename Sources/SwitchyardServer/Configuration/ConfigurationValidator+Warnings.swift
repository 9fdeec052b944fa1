import Foundation
public import SwitchyardCore

extension ConfigurationValidator {
    /// What a valid configuration still gets wrong for a paying user: targets without a price
    /// (metered at $0 and marked unpriced; keys with credits or budgets are refused them unless
    /// the alias sets `allow_unpriced`), and models past or near their announced retirement.
    /// `today`: days since 1970 (UTC).
    public static func warnings(in configuration: GatewayConfiguration, today: Int64) -> [ConfigurationIssue] {
        var warnings: [ConfigurationIssue] = []
        for (index, model) in configuration.models.enumerated() {
            for (targetIndex, target) in model.targets.enumerated() {
                let path = "models[\(index)].targets[\(targetIndex)]"
                let type = configuration.provider(named: target.provider)?.type ?? target.provider
                if configuration.price(of: target, in: model) == nil {
                    let consequence =
                        model.allowUnpriced
                        ? "served unmetered (allow_unpriced: true)" : "keys with credits or budgets get 402 unpriced_model for `\(model.name)`"
                    warnings.append(ConfigurationIssue(
                        path: path, message: "no price for \(type)/\(target.model) in the config or the catalog: metered at $0 and marked unpriced; "
                            + "\(consequence). Set `price:` on the model or the target."))
                }
                if let deprecation = configuration.catalogEntry(of: target)?.deprecation, let day = CivilDate(deprecation) {
                    let days = day.daysSince1970 - today
                    if days < 0 {
                        warnings.append(ConfigurationIssue(path: path, message: "\(type)/\(target.model) was retired by its provider on \(deprecation)"))
                    } else if days <= 90 {
                        warnings.append(ConfigurationIssue(path: path, message: "\(type)/\(target.model) is retired by its provider on \(deprecation)"))
                    }
                }
            }
        }
        return warnings
    }
}
