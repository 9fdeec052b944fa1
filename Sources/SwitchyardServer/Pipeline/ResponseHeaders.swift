import Hummingbird
import HTTPTypes
import SwitchyardCore
import SwitchyardAccounts
import SwitchyardRouting

/// The `x-switchyard-*` headers of DESIGN §4 and the upstream's rate-limit headers.
struct ResponseHeaders {
    static let passedThrough: [(name: String, field: HTTPField.Name)] = [
        "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
    ].compactMap { name in HTTPField.Name(name).map { (name, $0) } }

    static func make(call: UpstreamCall, context: GatewayRequestContext, contentType: String, overhead: Duration, cost: Money?) -> HTTPFields {
        var headers: HTTPFields = [
            .contentType: contentType,
            .xSwitchyardModel: call.deployment.alias,
            .xSwitchyardProvider: call.deployment.providerName,
            .xSwitchyardAttempts: String(call.attempts),
            .xSwitchyardOverheadMS: milliseconds(overhead),
        ]
        if let cost, call.deployment.price != nil { headers[.xSwitchyardCostUSD] = cost.description }
        if let route = context.route { headers[.xSwitchyardRoute] = route.summary }
        for (name, field) in passedThrough {
            if let value = call.headers[name] { headers[field] = value }
        }
        return headers
    }

    static func milliseconds(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        let hundredths = Int((ms * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
