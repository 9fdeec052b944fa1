import Foundation
public import SwitchyardCore

extension RouterSet {
    /// Why the configured routers cannot be built.
    public struct BuildError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The routers of `configuration.routers`, each learned model loaded once (the bundled one
    /// unless `weights:` names a file). Call `ConfigurationValidator` first for field errors.
    public static func build(_ configuration: GatewayConfiguration) throws -> RouterSet {
        var models: [String: LearnedRouterModel] = [:]
        func model(_ path: String?) throws -> LearnedRouterModel {
            let key = path ?? ""
            if let loaded = models[key] { return loaded }
            do {
                let loaded = try path.map { try LearnedRouterModel(contentsOf: URL(fileURLWithPath: $0)) } ?? LearnedRouterModel.bundled()
                models[key] = loaded
                return loaded
            } catch {
                throw BuildError(description: "router weights \(path ?? "(bundled)"): \(error)")
            }
        }
        func capabilities(_ alias: String) -> AliasCapabilities {
            guard let settings = configuration.model(named: alias) else { return AliasCapabilities() }
            return AliasCapabilities(
                contextWindow: configuration.contextWindow(of: settings), supportsVision: configuration.supports("vision", model: settings),
                supportsTools: configuration.supports("tools", model: settings),
                price: settings.price ?? settings.targets.first.flatMap { configuration.price(of: $0, in: settings) })
        }
        var routers: [any RequestRouter] = []
        for settings in configuration.routers {
            switch settings.kind {
            case .learned:
                guard let weak = settings.weak, let strong = settings.strong else {
                    throw BuildError(description: "router \(settings.name): weak and strong are required")
                }
                let loaded = try model(settings.weightsPath)
                let threshold: LearnedRouter.Threshold = settings.threshold.map { .fixed($0) }
                    ?? .share(ShareCalibrator(share: settings.strongShare ?? 0.5, calibrationQuantiles: loaded.calibrationQuantiles))
                routers.append(LearnedRouter(
                    name: settings.name, weak: weak, strong: strong, model: loaded, threshold: threshold, policy: StrongTierPolicy(settings),
                    shadowAlias: settings.shadow ? settings.defaultModel ?? strong : nil, weakCapabilities: capabilities(weak),
                    strongCapabilities: capabilities(strong)))
            case .rules:
                do {
                    routers.append(try RulesRouter(name: settings.name, rules: settings.rules, defaultModel: settings.defaultModel ?? ""))
                } catch {
                    throw BuildError(description: "router \(settings.name): a rule's regular expression does not compile (\(error))")
                }
            case .cost:
                let candidates = settings.candidates.map { (alias: $0.model, level: $0.level, capabilities: capabilities($0.model)) }
                routers.append(CostRouter(name: settings.name, candidates: candidates, qualityFloor: settings.qualityFloor, model: try model(settings.weightsPath)))
            }
        }
        return RouterSet(routers)
    }
}
