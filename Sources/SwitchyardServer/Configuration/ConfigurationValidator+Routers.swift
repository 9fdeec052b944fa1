import Foundation
import SwitchyardCore

extension ConfigurationValidator {
    /// `routers[]`: names that do not clash with models, targets that exist, values in range.
    static func routerIssues(_ configuration: GatewayConfiguration, modelNames: Set<String>) -> [ConfigurationIssue] {
        var issues: [ConfigurationIssue] = []
        func add(_ path: String, _ message: String) { issues.append(ConfigurationIssue(path: path, message: message)) }
        func requireModel(_ name: String?, _ path: String) {
            guard let name, !name.isEmpty else { add(path, "required"); return }
            if !modelNames.contains(name) { add(path, "unknown model \"\(name)\"" + suggestion(name, among: modelNames)) }
        }
        func requireFraction(_ value: Double?, _ path: String) {
            if let value, !(0...1).contains(value) { add(path, "must be between 0 and 1") }
        }
        var seen: Set<String> = []
        for (index, router) in configuration.routers.enumerated() {
            let path = "routers[\(index)]"
            if router.kind != .learned {
                let learnedOnly = [
                    ("overrides", !router.overrides.isEmpty), ("allow_share_header", router.allowShareHeader),
                    ("budget_pressure", router.budgetPressure != nil), ("sticky_sessions", !router.stickySessions), ("shadow", router.shadow),
                ]
                for (field, set) in learnedOnly where set { add("\(path).\(field)", "only learned routers have it") }
            }
            if router.name.isEmpty { add("\(path).name", "required") }
            else if modelNames.contains(router.name) { add("\(path).name", "\"\(router.name)\" is also a model name") }
            else if !seen.insert(router.name).inserted { add("\(path).name", "duplicate router name \"\(router.name)\"") }
            if let weights = router.weightsPath, !FileManager.default.fileExists(atPath: weights) {
                add("\(path).weights", "file not found: \(weights)")
            }
            switch router.kind {
            case .learned:
                requireModel(router.weak, "\(path).weak")
                requireModel(router.strong, "\(path).strong")
                requireFraction(router.threshold, "\(path).threshold")
                requireFraction(router.strongShare, "\(path).strong_share")
                if router.threshold != nil && router.strongShare != nil { add("\(path).threshold", "give threshold or strong_share, not both") }
                if router.defaultModel != nil { requireModel(router.defaultModel, "\(path).default") }
                for (overrideIndex, override) in router.overrides.enumerated() {
                    let overridePath = "\(path).overrides[\(overrideIndex)]"
                    if (override.key == nil) == (override.team == nil) { add(overridePath, "name one key or one team") }
                    if (override.threshold == nil) == (override.strongShare == nil) { add(overridePath, "give threshold or strong_share (one of them)") }
                    requireFraction(override.threshold, "\(overridePath).threshold")
                    requireFraction(override.strongShare, "\(overridePath).strong_share")
                }
                if let pressure = router.budgetPressure {
                    if !(pressure.below > 0 && pressure.below <= 1) { add("\(path).budget_pressure.below", "must be above 0 and at most 1") }
                    requireFraction(pressure.maxShare, "\(path).budget_pressure.max_share")
                }
            case .rules:
                if router.rules.isEmpty { add("\(path).rules", "at least one rule is required") }
                requireModel(router.defaultModel, "\(path).default")
                for (ruleIndex, rule) in router.rules.enumerated() {
                    let rulePath = "\(path).rules[\(ruleIndex)]"
                    requireModel(rule.target, "\(rulePath).use")
                    for (field, pattern) in [("system_regex", rule.systemPattern), ("message_regex", rule.messagePattern)] {
                        if let pattern, (try? NSRegularExpression(pattern: pattern)) == nil {
                            add("\(rulePath).when.\(field)", "not a valid regular expression")
                        }
                    }
                }
            case .cost:
                if router.candidates.count < 2 { add("\(path).candidates", "at least two models are required") }
                for (candidateIndex, candidate) in router.candidates.enumerated() {
                    requireModel(candidate.model, "\(path).candidates[\(candidateIndex)]")
                    requireFraction(candidate.level, "\(path).candidates[\(candidateIndex)].level")
                }
                requireFraction(router.qualityFloor, "\(path).quality_floor")
            }
        }
        return issues
    }
}
