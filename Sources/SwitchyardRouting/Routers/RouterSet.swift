import SwitchyardCore

/// The configured routers by name. A request's `model` picks one by name, or RouteLLM-style as
/// `router-<name>-<threshold>` (e.g. `router-auto-0.62`) with the threshold given.
public struct RouterSet: Sendable {
    let routers: [String: any RequestRouter]

    public init(_ routers: [any RequestRouter] = []) {
        self.routers = Dictionary(routers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var names: [String] { routers.keys.sorted() }
    public var isEmpty: Bool { routers.isEmpty }

    /// The router a model name selects, and the threshold it carries, if it selects one.
    public func router(for model: String) -> (router: any RequestRouter, threshold: Double?)? {
        if let router = routers[model] { return (router, nil) }
        guard model.hasPrefix("router-"), let dash = model.lastIndex(of: "-") else { return nil }
        let name = String(model[model.index(model.startIndex, offsetBy: 7)..<dash])
        guard let router = routers[name], let threshold = Double(model[model.index(after: dash)...]), (0...1).contains(threshold) else { return nil }
        return (router, threshold)
    }
}
