import Foundation
public import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Cross-field checks of a parsed configuration: references resolve, values are in range.
public enum ConfigurationValidator {
    public static func issues(in configuration: GatewayConfiguration) -> [ConfigurationIssue] {
        var issues: [ConfigurationIssue] = []
        func add(_ path: String, _ message: String) { issues.append(ConfigurationIssue(path: path, message: message)) }

        let server = configuration.server
        if !(1...65535).contains(server.port) && server.port != 0 { add("server.port", "must be between 1 and 65535") }
        if server.maxBodyBytes < 1024 { add("server.max_body_bytes", "must be at least 1024") }
        if server.shutdownGraceSeconds < 0 { add("server.shutdown_grace_seconds", "must not be negative") }
        if !(server.headerTimeoutSeconds > 0) { add("server.header_timeout_seconds", "must be more than 0") }
        if !(server.idleTimeoutSeconds > 0) { add("server.idle_timeout_seconds", "must be more than 0") }
        if server.maxConnections < 1 { add("server.max_connections", "must be at least 1") }
        if !(server.uiSessionHours > 0 && server.uiSessionHours <= 720) { add("server.ui_session_hours", "must be more than 0 and at most 720") }
        if configuration.cacheMaxBytes < 0 { add("cache.max_bytes", "must not be negative") }
        if server.maxResponseBytes < 1024 { add("server.max_response_bytes", "must be at least 1024") }
        if server.maxBufferedBytes < server.maxResponseBytes { add("server.max_buffered_bytes", "must be at least server.max_response_bytes") }
        let tracing = configuration.tracing
        if let endpoint = tracing.otlpEndpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            add("tracing.otlp_endpoint", "must be an http:// or https:// URL")
        }
        if !["http/protobuf", "http/json"].contains(tracing.otlpProtocol) { add("tracing.protocol", "must be http/protobuf or http/json") }
        if !(0...1).contains(tracing.sampleRatio) { add("tracing.sample_ratio", "must be between 0 and 1") }

        for provider in configuration.providers {
            for problem in ProviderRegistry.problems(with: provider) {
                add("providers.\(provider.name).\(problem.field)", problem.message)
            }
            if let file = provider.tls.caFile, !FileManager.default.isReadableFile(atPath: file) {
                add("providers.\(provider.name).tls.ca_file", "cannot read \"\(file)\"")
            }
        }
        let providerNames = Set(configuration.providers.map(\.name))
        let modelNames = Set(configuration.models.map(\.name))
        var seen: Set<String> = []
        for (index, model) in configuration.models.enumerated() {
            let path = "models[\(index)]"
            if model.name.isEmpty { add("\(path).name", "required") }
            else if !seen.insert(model.name).inserted { add("\(path).name", "duplicate model name \"\(model.name)\"") }
            if model.targets.isEmpty { add("\(path).targets", "at least one target is required") }
            for (targetIndex, target) in model.targets.enumerated() {
                let targetPath = "\(path).targets[\(targetIndex)]"
                if target.provider.isEmpty { add("\(targetPath).provider", "required") }
                else if !providerNames.contains(target.provider) {
                    add("\(targetPath).provider", "unknown provider \"\(target.provider)\"" + suggestion(target.provider, among: providerNames))
                }
                if target.model.isEmpty { add("\(targetPath).model", "required") }
                if target.weight < 0 { add("\(targetPath).weight", "must not be negative") }
            }
            if let price = model.price, !price.isValid {
                add("\(path).price", "prices must be finite and not negative")
            }
            if let window = model.contextWindow, window <= 0 { add("\(path).context_window", "must be positive") }
            if let cache = model.cache {
                if !(cache.ttlSeconds > 0 && cache.ttlSeconds <= 30 * 86_400) { add("\(path).cache.ttl_seconds", "must be more than 0 and at most 2592000 (30 days)") }
                if cache.maxEntryBytes < 1 { add("\(path).cache.max_entry_bytes", "must be at least 1") }
                if let semantic = cache.semantic {
                    if !(semantic.threshold > 0 && semantic.threshold <= 1) { add("\(path).cache.semantic.threshold", "must be more than 0 and at most 1") }
                    if !(1...10_000_000).contains(semantic.maxEntries) { add("\(path).cache.semantic.max_entries", "must be from 1 to 10000000") }
                }
            }
            for (field, list) in [("fallbacks", model.fallbacks), ("context_window_fallbacks", model.contextWindowFallbacks),
                ("content_policy_fallbacks", model.contentPolicyFallbacks)]
            {
                for (fallbackIndex, fallback) in list.enumerated() where !modelNames.contains(fallback) {
                    add("\(path).\(field)[\(fallbackIndex)]", "unknown model \"\(fallback)\"")
                }
            }
            if let strategy = model.strategy, RoutingStrategy(rawValue: strategy) == nil {
                add("\(path).strategy", "unknown strategy \"\(strategy)\" (known: \(strategyNames))")
            }
        }
        issues += routerIssues(configuration, modelNames: modelNames)
        let routing = configuration.routing
        if RoutingStrategy(rawValue: routing.strategy) == nil {
            add("routing.strategy", "unknown strategy \"\(routing.strategy)\" (known: \(strategyNames))")
        }
        if routing.firstByteTimeoutSeconds <= 0 { add("routing.first_byte_timeout_seconds", "must be positive") }
        if routing.cooldownFailures < 1 { add("routing.cooldown.failures", "must be at least 1") }
        if routing.retries < 0 { add("routing.retries", "must not be negative") }
        if routing.timeoutSeconds <= 0 { add("routing.timeout_seconds", "must be positive") }
        return issues
    }

    static let strategyNames = RoutingStrategy.allCases.map(\.rawValue).joined(separator: ", ")

    /// ` (did you mean "openai"?)` when a known name is one or two edits away.
    static func suggestion(_ name: String, among names: Set<String>) -> String {
        let best = names.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
        return best.map { " (did you mean \"\($0.0)\"?)" } ?? ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
