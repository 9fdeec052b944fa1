import Foundation
public import SwitchyardCore

/// `kind: rules` — ordered conditions on request features; the first rule whose conditions all
/// hold names the alias, else `default`.
public struct RulesRouter: RequestRouter {
    public let name: String
    let rules: [CompiledRule]
    let defaultModel: String

    struct CompiledRule: @unchecked Sendable {
        // NSRegularExpression is immutable after creation and documented thread-safe for matching.
        let rule: RouteRule
        let system: NSRegularExpression?
        let message: NSRegularExpression?
    }

    /// Fails with the pattern that does not compile.
    public init(name: String, rules: [RouteRule], defaultModel: String) throws {
        self.name = name
        self.defaultModel = defaultModel
        self.rules = try rules.map { rule in
            CompiledRule(
                rule: rule, system: try rule.systemPattern.map { try NSRegularExpression(pattern: $0) },
                message: try rule.messagePattern.map { try NSRegularExpression(pattern: $0) })
        }
    }

    public var targets: [String] { rules.map(\.rule.target) + [defaultModel] }

    public func decide(_ input: RoutingInput, thresholdOverride: Double?) -> RouteDecision {
        for (index, compiled) in rules.enumerated() where matches(compiled, input) {
            return RouteDecision(router: name, alias: compiled.rule.target, label: "rule[\(index)]")
        }
        return RouteDecision(router: name, alias: defaultModel, label: "default")
    }

    func matches(_ compiled: CompiledRule, _ input: RoutingInput) -> Bool {
        let rule = compiled.rule
        let features = input.features
        if let minimum = rule.minTokens, input.promptTokens < minimum { return false }
        if let maximum = rule.maxTokens, input.promptTokens > maximum { return false }
        if let tools = rule.hasTools, tools != features.hasTools { return false }
        if let images = rule.hasImages, images != features.hasImages { return false }
        if let format = rule.hasResponseFormat, format != features.hasResponseFormat { return false }
        if let names = rule.keyNames, !names.contains(input.keyName ?? "") { return false }
        for (key, value) in rule.keyMetadata where input.keyMetadata[key] != value { return false }
        for (header, value) in rule.headers where input.headers[header] != value { return false }
        if let pattern = compiled.system, !RulesRouter.search(pattern, features.system) { return false }
        if let pattern = compiled.message, !RulesRouter.search(pattern, features.text) { return false }
        return true
    }

    static func search(_ pattern: NSRegularExpression, _ text: String) -> Bool {
        pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
