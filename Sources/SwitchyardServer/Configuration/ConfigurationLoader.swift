import Foundation
public import SwitchyardCore
import SwitchyardProviders
import SwitchyardRedis
import Yams

/// Reads `switchyard.yaml` into a `GatewayConfiguration`: YAML, then `${ENV}` interpolation of
/// every string, then defaults, then validation. Every problem is reported with its path, all
/// at once, so `switchyard config check` can print the full list.
public struct ConfigurationLoader: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads and validates the file at `path`.
    public func load(path: String) throws(ConfigurationErrors) -> GatewayConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationErrors(issues: [ConfigurationIssue(path: "", message: "cannot read \(path): \(error.localizedDescription)")])
        }
        return try load(yaml: text)
    }

    /// The configuration as far as it can be read, with its problems, for tools that need only a
    /// part of it (the `keys` and `usage` commands need `storage.url`, not provider keys).
    public func loadLeniently(path: String) throws(ConfigurationErrors) -> (GatewayConfiguration, [ConfigurationIssue]) {
        do {
            return (try load(path: path), [])
        } catch {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let (protected, expressions) = Self.protectExpressions(text)
            var reader = NodeReader(interpolation: EnvironmentInterpolation(environment: environment), expressions: expressions)
            var configuration = GatewayConfiguration()
            guard let root = try? Yams.compose(yaml: protected) else { throw error }
            reader.read(root, into: &configuration)
            return (configuration, error.issues)
        }
    }

    /// Loads and validates YAML text.
    public func load(yaml: String) throws(ConfigurationErrors) -> GatewayConfiguration {
        // `${…}` is not valid in YAML flow mappings (`{ api_key: ${KEY} }`, as DESIGN §3 writes
        // it), so expressions are swapped for plain placeholders before parsing and expanded per
        // scalar afterwards — which also keeps substituted values from being parsed as YAML.
        let (text, expressions) = Self.protectExpressions(yaml)
        var reader = NodeReader(interpolation: EnvironmentInterpolation(environment: environment), expressions: expressions)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationErrors(issues: [ConfigurationIssue(path: "", message: "not valid YAML: \(error)")])
        }
        var configuration = GatewayConfiguration()
        if let root {
            reader.read(root, into: &configuration)
        }
        let (catalog, problem) = ModelCatalog.load(dataDirectory: configuration.storage.dataDirectory)
        configuration.catalog = catalog
        if let problem { reader.issue("storage.data_dir", problem) }
        reader.issues += ConfigurationValidator.issues(in: configuration)
        guard reader.issues.isEmpty else { throw ConfigurationErrors(issues: reader.issues) }
        return configuration
    }

    /// Replaces each `${…}` with `__SWITCHYARD_ENV_<n>__`; returns the text and the expressions.
    static func protectExpressions(_ yaml: String) -> (String, [String]) {
        var expressions: [String] = []
        var output = ""
        var rest = Substring(yaml)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            output += rest[..<start.lowerBound]
            output += NodeReader.placeholder(expressions.count)
            expressions.append(String(rest[start.lowerBound...end]))
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return (output, expressions)
    }
}

/// Walks the YAML node tree, recording an issue for every field of the wrong shape.
struct NodeReader {
    let interpolation: EnvironmentInterpolation
    let expressions: [String]
    var issues: [ConfigurationIssue] = []

    init(interpolation: EnvironmentInterpolation, expressions: [String]) {
        self.interpolation = interpolation
        self.expressions = expressions
    }

    static func placeholder(_ index: Int) -> String { "__SWITCHYARD_ENV_\(index)__" }

    /// The scalar's text with its `${…}` expressions put back.
    func restore(_ text: String) -> String {
        guard text.contains("__SWITCHYARD_ENV_") else { return text }
        var result = text
        for (index, expression) in expressions.enumerated().reversed() {
            result = result.replacingOccurrences(of: NodeReader.placeholder(index), with: expression)
        }
        return result
    }

    mutating func issue(_ path: String, _ message: String) {
        issues.append(ConfigurationIssue(path: path, message: message))
    }

    /// The mapping's entries by key, reporting keys outside `allowed`.
    mutating func mapping(_ node: Node, path: String, allowed: Set<String>) -> [(key: String, value: Node)]? {
        guard let mapping = node.mapping else {
            issue(path, "expected a mapping")
            return nil
        }
        var entries: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            if !allowed.isEmpty && !allowed.contains(key) {
                issue(join(path, key), "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            entries.append((key, value))
        }
        return entries
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func string(_ node: Node, path: String) -> String? {
        guard let scalar = node.scalar else {
            issue(path, "expected a string")
            return nil
        }
        switch interpolation.expand(restore(scalar.string)) {
        case .success(let value): return value
        case .failure(let missing):
            issue(path, "environment variable \(missing.name) is not set (write ${\(missing.name):-default} to make it optional)")
            return nil
        }
    }

    mutating func int(_ node: Node, path: String) -> Int? {
        guard let text = string(node, path: path) else { return nil }
        guard let value = Int(text) else { issue(path, "expected an integer, got \"\(text)\""); return nil }
        return value
    }

    /// An integer in `range`; outside it, `reason` is reported and nil returned (the default stays).
    mutating func int(_ node: Node, path: String, in range: ClosedRange<Int>, _ reason: String) -> Int? {
        guard let value = int(node, path: path) else { return nil }
        guard range.contains(value) else { issue(path, reason); return nil }
        return value
    }

    mutating func double(_ node: Node, path: String) -> Double? {
        guard let text = string(node, path: path) else { return nil }
        guard let value = Double(text), value.isFinite else { issue(path, "expected a number, got \"\(text)\""); return nil }
        return value
    }

    mutating func bool(_ node: Node, path: String) -> Bool? {
        guard let text = string(node, path: path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: issue(path, "expected true or false, got \"\(text)\""); return nil
        }
    }

    mutating func stringList(_ node: Node, path: String) -> [String] {
        if node.scalar != nil { return string(node, path: path).map { [$0] } ?? [] }
        guard let sequence = node.sequence else { issue(path, "expected a list of strings"); return [] }
        return sequence.enumerated().compactMap { string($1, path: "\(path)[\($0)]") }
    }

    // MARK: - Sections

    mutating func read(_ root: Node, into configuration: inout GatewayConfiguration) {
        let sections: Set<String> = ["server", "storage", "providers", "models", "routing", "routers", "tracing", "cache"]
        guard let entries = mapping(root, path: "", allowed: sections) else { return }
        for (key, value) in entries {
            switch key {
            case "server": readServer(value, into: &configuration.server)
            case "storage": readStorage(value, into: &configuration.storage)
            case "providers": configuration.providers = readProviders(value)
            case "routers": configuration.routers = readRouters(value)
            case "models": configuration.models = readModels(value)
            case "tracing": readTracing(value, into: &configuration.tracing)
            case "cache":
                for (key, field) in mapping(value, path: "cache", allowed: ["max_bytes"]) ?? [] {
                    switch key {
                    case "max_bytes": configuration.cacheMaxBytes = int(field, path: "cache.max_bytes") ?? configuration.cacheMaxBytes
                    default: break  // not allowed: `mapping` reported it
                    }
                }
            case "routing": readRouting(value, into: &configuration.routing)
            default: break  // not in `sections`: `mapping` reported it
            }
        }
    }

    mutating func readServer(_ node: Node, into server: inout ServerSettings) {
        let fields: Set<String> = [
            "host", "port", "master_key", "require_keys", "max_body_bytes", "shutdown_grace_seconds", "header_timeout_seconds",
            "idle_timeout_seconds", "max_connections", "max_response_bytes", "max_buffered_bytes", "ui", "ui_session_hours",
        ]
        for (key, value) in mapping(node, path: "server", allowed: fields) ?? [] {
            let path = "server.\(key)"
            switch key {
            case "host": server.host = string(value, path: path) ?? server.host
            case "port": server.port = int(value, path: path) ?? server.port
            case "master_key": server.masterKey = string(value, path: path).flatMap { $0.isEmpty ? nil : Secret($0) }
            case "require_keys": server.requireKeys = bool(value, path: path) ?? server.requireKeys
            case "max_body_bytes": server.maxBodyBytes = int(value, path: path) ?? server.maxBodyBytes
            case "shutdown_grace_seconds": server.shutdownGraceSeconds = double(value, path: path) ?? server.shutdownGraceSeconds
            case "header_timeout_seconds": server.headerTimeoutSeconds = double(value, path: path) ?? server.headerTimeoutSeconds
            case "idle_timeout_seconds": server.idleTimeoutSeconds = double(value, path: path) ?? server.idleTimeoutSeconds
            case "max_connections": server.maxConnections = int(value, path: path) ?? server.maxConnections
            case "max_response_bytes": server.maxResponseBytes = int(value, path: path) ?? server.maxResponseBytes
            case "max_buffered_bytes": server.maxBufferedBytes = int(value, path: path) ?? server.maxBufferedBytes
            case "ui": server.ui = bool(value, path: path) ?? server.ui
            case "ui_session_hours": server.uiSessionHours = double(value, path: path) ?? server.uiSessionHours
            default: break  // not in `fields`: `mapping` reported it
            }
        }
    }

    mutating func readTracing(_ node: Node, into tracing: inout TracingSettings) {
        let fields: Set<String> = ["otlp_endpoint", "protocol", "service_name", "sample_ratio", "headers"]
        for (key, value) in mapping(node, path: "tracing", allowed: fields) ?? [] {
            let path = "tracing.\(key)"
            switch key {
            case "otlp_endpoint": tracing.otlpEndpoint = string(value, path: path).flatMap { $0.isEmpty ? nil : $0 }
            case "protocol": tracing.otlpProtocol = string(value, path: path) ?? tracing.otlpProtocol
            case "service_name": tracing.serviceName = string(value, path: path) ?? tracing.serviceName
            case "sample_ratio": tracing.sampleRatio = double(value, path: path) ?? tracing.sampleRatio
            case "headers":
                for (name, header) in mapping(value, path: path, allowed: []) ?? [] {
                    if let text = string(header, path: "\(path).\(name)") { tracing.headers[name] = Secret(text) }
                }
            default: break  // not in `fields`: `mapping` reported it
            }
        }
    }

    mutating func readStorage(_ node: Node, into storage: inout StorageSettings) {
        let fields: Set<String> = [
            "url", "redis", "redis_fail_open", "redis_lease_seconds", "ledger_journal", "ledger_journal_sync_ms", "ledger_flush_ms",
            "ledger_retention_days", "responses_retention_days", "data_dir",
        ]
        for (key, value) in mapping(node, path: "storage", allowed: fields) ?? [] {
            switch key {
            case "url":
                storage.url = string(value, path: "storage.url") ?? storage.url
                if !storage.url.hasPrefix("sqlite://") && !storage.url.hasPrefix("postgres://") && !storage.url.hasPrefix("postgresql://") {
                    issue("storage.url", "must be sqlite://PATH or postgres://user:password@host:port/database")
                }
            case "data_dir": storage.dataDirectory = string(value, path: "storage.data_dir") ?? storage.dataDirectory
            case "ledger_journal": storage.ledgerJournal = string(value, path: "storage.ledger_journal") ?? storage.ledgerJournal
            case "ledger_journal_sync_ms":
                storage.ledgerJournalSyncMilliseconds =
                    int(value, path: "storage.ledger_journal_sync_ms", in: 1...1_000, "must be between 1 and 1000 (ms between the journal's fsyncs)")
                    ?? storage.ledgerJournalSyncMilliseconds
            case "ledger_flush_ms":
                storage.ledgerFlushMilliseconds =
                    int(value, path: "storage.ledger_flush_ms", in: 10...60_000, "must be between 10 and 60000 (ms between writes of ledger rows to the store)")
                    ?? storage.ledgerFlushMilliseconds
            case "redis":
                storage.redisURL = string(value, path: "storage.redis").flatMap { $0.isEmpty ? nil : $0 }
                if let url = storage.redisURL {
                    do throws(RedisError) {
                        _ = try RedisEndpoint(url: url)
                    } catch {
                        issue("storage.redis", error.description)
                    }
                }
            case "redis_fail_open": storage.redisFailOpen = bool(value, path: "storage.redis_fail_open") ?? storage.redisFailOpen
            case "redis_lease_seconds":
                let seconds = double(value, path: "storage.redis_lease_seconds") ?? storage.redisLeaseSeconds
                if seconds >= 1 && seconds <= 86_400 {
                    storage.redisLeaseSeconds = seconds
                } else {
                    issue("storage.redis_lease_seconds", "must be between 1 and 86400 (seconds a reservation outlives its replica)")
                }
            case "ledger_retention_days":
                storage.ledgerRetentionDays =
                    int(value, path: "storage.ledger_retention_days", in: 0...100_000, "must be 0 (keep forever) or a number of days")
                    ?? storage.ledgerRetentionDays
            case "responses_retention_days":
                let days = double(value, path: "storage.responses_retention_days") ?? storage.responsesRetentionDays
                if days > 0 {
                    storage.responsesRetentionDays = days
                } else {
                    issue("storage.responses_retention_days", "must be greater than 0 (days a stored response is kept)")
                }
            default: break  // not allowed: `mapping` reported it
            }
        }
    }

    static let providerFields: Set<String> = [
        "type", "base_url", "api_key", "headers", "api_version", "region", "access_key_id", "secret_access_key", "session_token", "tls",
        "responses_api", "project", "credentials_file",
    ]

    mutating func readProviders(_ node: Node) -> [ProviderSettings] {
        var providers: [ProviderSettings] = []
        for (name, value) in mapping(node, path: "providers", allowed: []) ?? [] {
            let path = "providers.\(name)"
            var settings = ProviderSettings(name: name, type: "")
            var sawType = false
            for (key, field) in mapping(value, path: path, allowed: Self.providerFields) ?? [] {
                func text() -> String? { string(field, path: "\(path).\(key)").flatMap { $0.isEmpty ? nil : $0 } }
                switch key {
                case "type": settings.type = text() ?? ""; sawType = true
                case "base_url": settings.baseURL = text()
                case "api_key": settings.apiKey = text().map(Secret.init)
                case "api_version": settings.apiVersion = text()
                case "region": settings.region = text()
                case "project": settings.project = text()
                case "credentials_file": settings.credentialsFile = text()
                case "access_key_id": settings.accessKeyID = text()
                case "secret_access_key": settings.secretAccessKey = text().map(Secret.init)
                case "session_token": settings.sessionToken = text().map(Secret.init)
                case "responses_api": settings.responsesAPI = bool(field, path: "\(path).\(key)")
                case "headers":
                    for (header, headerValue) in mapping(field, path: "\(path).headers", allowed: []) ?? [] {
                        settings.headers[header] = string(headerValue, path: "\(path).headers.\(header)")
                    }
                case "tls":
                    for (option, optionValue) in mapping(field, path: "\(path).tls", allowed: ["ca_file", "insecure_skip_verify"]) ?? [] {
                        switch option {
                        case "ca_file": settings.tls.caFile = string(optionValue, path: "\(path).tls.ca_file").flatMap { $0.isEmpty ? nil : $0 }
                        case "insecure_skip_verify":
                            settings.tls.insecureSkipVerify = bool(optionValue, path: "\(path).tls.insecure_skip_verify") ?? false
                        default: break  // not allowed: `mapping` reported it
                        }
                    }
                default: break  // not in `providerFields`: `mapping` reported it
                }
            }
            if !sawType { settings.type = ProviderRegistry.knownTypes.contains(name) ? name : "" }
            providers.append(settings)
        }
        return providers
    }

    mutating func readModels(_ node: Node) -> [ModelSettings] {
        guard let sequence = node.sequence else { issue("models", "expected a list of models"); return [] }
        var models: [ModelSettings] = []
        for (index, item) in sequence.enumerated() {
            let path = "models[\(index)]"
            var model = ModelSettings(name: "", targets: [])
            let fields: Set<String> = [
                "name", "targets", "price", "context_window", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "strategy",
                "hedge", "hedge_after_seconds", "supports", "allow_unpriced", "cache", "prompt_cache_affinity", "anthropic_auto_cache",
            ]
            for (key, value) in mapping(item, path: path, allowed: fields) ?? [] {
                switch key {
                case "name": model.name = string(value, path: "\(path).name") ?? ""
                case "targets": model.targets = readTargets(value, path: "\(path).targets")
                case "price": model.price = readPrice(value, path: "\(path).price")
                case "context_window": model.contextWindow = int(value, path: "\(path).context_window")
                case "context_window_fallbacks": model.contextWindowFallbacks = stringList(value, path: "\(path).\(key)")
                case "content_policy_fallbacks": model.contentPolicyFallbacks = stringList(value, path: "\(path).\(key)")
                case "strategy": model.strategy = string(value, path: "\(path).strategy")
                case "hedge": model.hedge = bool(value, path: "\(path).hedge") ?? false
                case "hedge_after_seconds": model.hedgeAfterSeconds = double(value, path: "\(path).hedge_after_seconds")
                case "supports":
                    for (capability, flag) in mapping(value, path: "\(path).supports", allowed: ["vision", "tools"]) ?? [] {
                        let supported = bool(flag, path: "\(path).supports.\(capability)") ?? true
                        model.supports[capability] = supported
                    }
                case "fallbacks": model.fallbacks = stringList(value, path: "\(path).fallbacks")
                case "allow_unpriced": model.allowUnpriced = bool(value, path: "\(path).allow_unpriced") ?? false
                case "cache": model.cache = readCache(value, path: "\(path).cache")
                case "anthropic_auto_cache": model.anthropicAutoCache = bool(value, path: "\(path).anthropic_auto_cache") ?? false
                case "prompt_cache_affinity": model.promptCacheAffinity = bool(value, path: "\(path).prompt_cache_affinity") ?? true
                default: break  // not in `fields`: `mapping` reported it
                }
            }
            models.append(model)
        }
        return models
    }

    mutating func readTargets(_ node: Node, path: String) -> [TargetSettings] {
        guard let sequence = node.sequence else { issue(path, "expected a list of targets"); return [] }
        return sequence.enumerated().map { index, item in
            let itemPath = "\(path)[\(index)]"
            var target = TargetSettings(provider: "", model: "")
            for (key, value) in mapping(item, path: itemPath, allowed: ["provider", "model", "weight", "price", "rpm", "tpm"]) ?? [] {
                switch key {
                case "provider": target.provider = string(value, path: "\(itemPath).provider") ?? ""
                case "model": target.model = string(value, path: "\(itemPath).model") ?? ""
                case "price": target.price = readPrice(value, path: "\(itemPath).price")
                case "rpm": target.rpm = int(value, path: "\(itemPath).rpm")
                case "tpm": target.tpm = int(value, path: "\(itemPath).tpm")
                case "weight": target.weight = double(value, path: "\(itemPath).weight") ?? 1
                default: break  // not allowed: `mapping` reported it
                }
            }
            return target
        }
    }

    mutating func readCache(_ node: Node, path: String) -> CacheSettings {
        var cache = CacheSettings()
        let fields: Set<String> = ["ttl_seconds", "scope", "max_entry_bytes", "nondeterministic", "charge", "semantic"]
        for (key, value) in mapping(node, path: path, allowed: fields) ?? [] {
            switch key {
            case "ttl_seconds": cache.ttlSeconds = double(value, path: "\(path).ttl_seconds") ?? cache.ttlSeconds
            case "scope":
                let text = string(value, path: "\(path).scope") ?? ""
                if let scope = CacheSettings.Scope(rawValue: text) { cache.scope = scope } else { issue("\(path).scope", "must be key, team or global") }
            case "max_entry_bytes": cache.maxEntryBytes = int(value, path: "\(path).max_entry_bytes") ?? cache.maxEntryBytes
            case "nondeterministic": cache.nondeterministic = bool(value, path: "\(path).nondeterministic") ?? false
            case "charge": cache.charge = bool(value, path: "\(path).charge") ?? false
            case "semantic":
                var semantic = SemanticCacheSettings()
                for (option, field) in mapping(value, path: "\(path).semantic", allowed: ["threshold", "max_entries", "any_prompt"]) ?? [] {
                    switch option {
                    case "threshold": semantic.threshold = double(field, path: "\(path).semantic.threshold") ?? semantic.threshold
                    case "max_entries": semantic.maxEntries = int(field, path: "\(path).semantic.max_entries") ?? semantic.maxEntries
                    case "any_prompt": semantic.anyPrompt = bool(field, path: "\(path).semantic.any_prompt") ?? false
                    default: break  // not allowed: `mapping` reported it
                    }
                }
                cache.semantic = semantic
            default: break  // not allowed: `mapping` reported it
            }
        }
        return cache
    }

    mutating func readPrice(_ node: Node, path: String) -> Price? {
        var price = Price(input: 0, output: 0)
        let fields: Set<String> = [
            "input", "output", "cached_input", "cache_write", "per_image", "per_audio_second", "per_million_characters", "per_request",
        ]
        for (key, value) in mapping(node, path: path, allowed: fields) ?? [] {
            let amount = double(value, path: "\(path).\(key)") ?? 0
            switch key {
            case "input": price.input = amount
            case "output": price.output = amount
            case "cached_input": price.cachedInput = amount
            case "cache_write": price.cacheWrite = amount
            case "per_image": price.perImage = amount
            case "per_audio_second": price.perAudioSecond = amount
            case "per_million_characters": price.perMillionCharacters = amount
            case "per_request": price.perRequest = amount
            default: break  // not allowed: `mapping` reported it
            }
        }
        return price
    }

    mutating func readRouting(_ node: Node, into routing: inout RoutingSettings) {
        let fields: Set<String> = ["strategy", "retries", "timeout_seconds", "first_byte_timeout_seconds", "cooldown", "health_probe_seconds"]
        for (key, value) in mapping(node, path: "routing", allowed: fields) ?? [] {
            let path = "routing.\(key)"
            switch key {
            case "strategy": routing.strategy = string(value, path: path) ?? routing.strategy
            case "retries": routing.retries = int(value, path: path) ?? routing.retries
            case "timeout_seconds": routing.timeoutSeconds = double(value, path: path) ?? routing.timeoutSeconds
            case "first_byte_timeout_seconds": routing.firstByteTimeoutSeconds = double(value, path: path) ?? routing.firstByteTimeoutSeconds
            case "health_probe_seconds": routing.healthProbeSeconds = double(value, path: path) ?? routing.healthProbeSeconds
            case "cooldown":
                for (field, amount) in mapping(value, path: path, allowed: ["failures", "seconds", "window_seconds"]) ?? [] {
                    switch field {
                    case "failures": routing.cooldownFailures = int(amount, path: "\(path).failures") ?? routing.cooldownFailures
                    case "seconds": routing.cooldownSeconds = double(amount, path: "\(path).seconds") ?? routing.cooldownSeconds
                    case "window_seconds": routing.cooldownWindowSeconds = double(amount, path: "\(path).window_seconds") ?? routing.cooldownWindowSeconds
                    default: break  // not allowed: `mapping` reported it
                    }
                }
            default: break  // not in `fields`: `mapping` reported it
            }
        }
    }
}
