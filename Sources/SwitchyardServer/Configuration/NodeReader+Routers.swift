import SwitchyardCore
import Yams

extension NodeReader {
    /// `routers:` — a list of `{name, kind, …}` (see `RouterSettings`).
    mutating func readRouters(_ node: Node) -> [RouterSettings] {
        guard let sequence = node.sequence else { issue("routers", "expected a list of routers"); return [] }
        var routers: [RouterSettings] = []
        let fields: Set<String> = [
            "name", "kind", "weak", "strong", "threshold", "strong_share", "weights", "rules", "default", "candidates", "quality_floor", "overrides",
            "allow_share_header", "budget_pressure", "sticky_sessions", "shadow",
        ]
        for (index, item) in sequence.enumerated() {
            let path = "routers[\(index)]"
            var router = RouterSettings(name: "", kind: .learned)
            for (key, value) in mapping(item, path: path, allowed: fields) ?? [] {
                let fieldPath = "\(path).\(key)"
                switch key {
                case "name": router.name = string(value, path: fieldPath) ?? ""
                case "kind":
                    let text = string(value, path: fieldPath) ?? ""
                    if let kind = RouterSettings.Kind(rawValue: text) { router.kind = kind } else {
                        issue(fieldPath, "unknown router kind \"\(text)\" (known: learned, rules, cost)")
                    }
                case "weak": router.weak = string(value, path: fieldPath)
                case "strong": router.strong = string(value, path: fieldPath)
                case "threshold": router.threshold = double(value, path: fieldPath)
                case "strong_share": router.strongShare = double(value, path: fieldPath)
                case "weights": router.weightsPath = string(value, path: fieldPath)
                case "default": router.defaultModel = string(value, path: fieldPath)
                case "quality_floor": router.qualityFloor = double(value, path: fieldPath) ?? router.qualityFloor
                case "candidates": router.candidates = readCandidates(value, path: fieldPath)
                case "rules": router.rules = readRules(value, path: fieldPath)
                case "overrides": router.overrides = readOverrides(value, path: fieldPath)
                case "allow_share_header": router.allowShareHeader = bool(value, path: fieldPath) ?? false
                case "budget_pressure": router.budgetPressure = readBudgetPressure(value, path: fieldPath)
                case "sticky_sessions": router.stickySessions = bool(value, path: fieldPath) ?? true
                case "shadow": router.shadow = bool(value, path: fieldPath) ?? false
                default: break  // not in `fields`: `mapping` reported it
                }
            }
            routers.append(router)
        }
        return routers
    }

    /// `overrides: [ {key | team, threshold | strong_share, allow_share_header?} ]`.
    mutating func readOverrides(_ node: Node, path: String) -> [RouterOverride] {
        guard let sequence = node.sequence else { issue(path, "expected a list of overrides"); return [] }
        return sequence.enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            var override = RouterOverride()
            for (key, value) in mapping(item, path: itemPath, allowed: ["key", "team", "threshold", "strong_share", "allow_share_header"]) ?? [] {
                let fieldPath = "\(itemPath).\(key)"
                switch key {
                case "key": override.key = string(value, path: fieldPath)
                case "team": override.team = string(value, path: fieldPath)
                case "threshold": override.threshold = double(value, path: fieldPath)
                case "strong_share": override.strongShare = double(value, path: fieldPath)
                case "allow_share_header": override.allowShareHeader = bool(value, path: fieldPath)
                default: break  // not allowed: `mapping` reported it
                }
            }
            return override
        }
    }

    /// `budget_pressure: {below, max_share}`.
    mutating func readBudgetPressure(_ node: Node, path: String) -> BudgetPressure? {
        var below: Double?
        var maxShare: Double?
        for (key, value) in mapping(node, path: path, allowed: ["below", "max_share"]) ?? [] {
            switch key {
            case "below": below = double(value, path: "\(path).below")
            case "max_share": maxShare = double(value, path: "\(path).max_share")
            default: break  // not allowed: `mapping` reported it
            }
        }
        guard let below, let maxShare else {
            issue(path, "needs below and max_share")
            return nil
        }
        return BudgetPressure(below: below, maxShare: maxShare)
    }

    mutating func readCandidates(_ node: Node, path: String) -> [CostCandidate] {
        guard let sequence = node.sequence else { issue(path, "expected a list of models"); return [] }
        return sequence.enumerated().compactMap { index, item in
            let itemPath = "\(path)[\(index)]"
            if item.scalar != nil { return string(item, path: itemPath).map { CostCandidate(model: $0) } }
            var candidate = CostCandidate(model: "")
            for (key, value) in mapping(item, path: itemPath, allowed: ["model", "level"]) ?? [] {
                if key == "model" { candidate.model = string(value, path: "\(itemPath).model") ?? "" } else { candidate.level = double(value, path: "\(itemPath).level") }
            }
            return candidate
        }
    }

    /// `rules: [ { when: {min_tokens, max_tokens, has_tools, has_images, has_response_format,
    /// system_regex, message_regex, key_names, key_metadata, headers}, use: alias } ]`.
    mutating func readRules(_ node: Node, path: String) -> [RouteRule] {
        guard let sequence = node.sequence else { issue(path, "expected a list of rules"); return [] }
        let conditions: Set<String> = [
            "min_tokens", "max_tokens", "has_tools", "has_images", "has_response_format", "system_regex", "message_regex", "key_names",
            "key_metadata", "headers",
        ]
        return sequence.enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            var rule = RouteRule(target: "")
            for (key, value) in mapping(item, path: itemPath, allowed: ["when", "use"]) ?? [] {
                if key == "use" { rule.target = string(value, path: "\(itemPath).use") ?? ""; continue }
                for (condition, field) in mapping(value, path: "\(itemPath).when", allowed: conditions) ?? [] {
                    let fieldPath = "\(itemPath).when.\(condition)"
                    switch condition {
                    case "min_tokens": rule.minTokens = int(field, path: fieldPath)
                    case "max_tokens": rule.maxTokens = int(field, path: fieldPath)
                    case "has_tools": rule.hasTools = bool(field, path: fieldPath)
                    case "has_images": rule.hasImages = bool(field, path: fieldPath)
                    case "has_response_format": rule.hasResponseFormat = bool(field, path: fieldPath)
                    case "system_regex": rule.systemPattern = string(field, path: fieldPath)
                    case "message_regex": rule.messagePattern = string(field, path: fieldPath)
                    case "key_names": rule.keyNames = stringList(field, path: fieldPath)
                    case "key_metadata":
                        for (key, value) in mapping(field, path: fieldPath, allowed: []) ?? [] {
                            rule.keyMetadata[key] = string(value, path: "\(fieldPath).\(key)") ?? ""
                        }
                    case "headers":
                        for (header, headerValue) in mapping(field, path: fieldPath, allowed: []) ?? [] {
                            rule.headers[header.lowercased()] = string(headerValue, path: "\(fieldPath).\(header)") ?? ""
                        }
                    default: break  // not in `conditions`: `mapping` reported it
                    }
                }
            }
            return rule
        }
    }
}
