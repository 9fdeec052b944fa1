import Foundation
public import SwitchyardCore

/// Builds the adapter for a configured provider, and knows which provider types exist.
public enum ProviderRegistry {
    /// Provider types with their own wire format (everything else is an OpenAI-compatible preset).
    static let nativeTypes = ["anthropic", "gemini", "bedrock", "vertex", "cohere"]

    /// Every accepted `type:` value.
    public static var knownTypes: [String] { (OpenAICompatiblePreset.all.keys + nativeTypes).sorted() }

    /// Why a provider's settings cannot be used, if they cannot.
    public static func problems(with settings: ProviderSettings) -> [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        if let url = settings.baseURL, !url.isEmpty, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            problems.append(("base_url", "must start with http:// or https:// (got \"\(url)\")"))
        }
        func requireKey() {
            if settings.apiKey?.isEmpty ?? true {
                problems.append(("api_key", "required for type \(settings.type) (is its environment variable set?)"))
            }
        }
        switch settings.type {
        case "anthropic", "gemini":
            requireKey()
        case "bedrock":
            if settings.region == nil && settings.baseURL == nil { problems.append(("region", "required for type bedrock (e.g. us-east-1)")) }
            let hasSigV4 = settings.accessKeyID != nil && settings.secretAccessKey != nil
            if !hasSigV4 && settings.apiKey == nil {
                problems.append((
                    "access_key_id", "type bedrock needs access_key_id and secret_access_key (SigV4) or api_key (a Bedrock API key)"
                ))
            }
        case "vertex":
            if settings.project == nil { problems.append(("project", "required for type vertex (the Google Cloud project id)")) }
            if settings.region == nil { problems.append(("region", "required for type vertex (e.g. us-east5, or global)")) }
            if let path = settings.credentialsFile {
                do throws(ServiceAccount.Invalid) {
                    _ = try ServiceAccount(contentsOf: path)
                } catch {
                    problems.append(("credentials_file", "not a usable service-account key file: \(error)"))
                }
            } else {
                problems.append(("credentials_file", "required for type vertex (a service-account key JSON file)"))
            }
        case "cohere":
            requireKey()
        default:
            guard let preset = OpenAICompatiblePreset.all[settings.type] else {
                return [("type", "unknown provider type \"\(settings.type)\" (known: \(knownTypes.joined(separator: ", ")))")]
            }
            if preset.defaultBaseURL == nil && (settings.baseURL ?? "").isEmpty {
                problems.append(("base_url", "required for type \(settings.type)" + (preset.note.map { " (\($0))" } ?? "")))
            }
            if preset.requiresAPIKey { requireKey() }
        }
        return problems
    }

    /// The adapter for `settings`; call `problems(with:)` first — invalid settings give nil.
    public static func adapter(for settings: ProviderSettings) -> (any ProviderAdapter)? {
        guard problems(with: settings).isEmpty else { return nil }
        switch settings.type {
        case "anthropic":
            return AnthropicAdapter(
                providerName: settings.name, baseURL: settings.baseURL, apiKey: settings.apiKey, version: settings.apiVersion,
                extraHeaders: settings.headers)
        case "gemini":
            return GeminiAdapter(
                providerName: settings.name, baseURL: settings.baseURL, apiKey: settings.apiKey, version: settings.apiVersion,
                extraHeaders: settings.headers)
        case "bedrock":
            let region = settings.region ?? "us-east-1"
            let credentials: BedrockAdapter.Credentials
            if let keyID = settings.accessKeyID, let secret = settings.secretAccessKey {
                credentials = .sigV4(SigV4Signer(accessKeyID: keyID, secretAccessKey: secret.value, sessionToken: settings.sessionToken?.value, region: region))
            } else if let key = settings.apiKey {
                credentials = .apiKey(key)
            } else {
                return nil
            }
            return BedrockAdapter(providerName: settings.name, baseURL: settings.baseURL, region: region, credentials: credentials)
        case "vertex":
            guard let project = settings.project, let region = settings.region, let path = settings.credentialsFile,
                let account = try? ServiceAccount(contentsOf: path)
            else { return nil }
            let tokens = ServiceAccountTokenSource(account: account, provider: settings.name) { Int64(Date().timeIntervalSince1970) }
            return VertexAdapter(
                providerName: settings.name, baseURL: settings.baseURL, project: project, region: region, tokens: tokens, extraHeaders: settings.headers)
        case "cohere":
            return CohereAdapter(providerName: settings.name, baseURL: settings.baseURL, apiKey: settings.apiKey, extraHeaders: settings.headers)
        default:
            guard let preset = OpenAICompatiblePreset.all[settings.type],
                let baseURL = settings.baseURL.flatMap({ $0.isEmpty ? nil : $0 }) ?? preset.defaultBaseURL
            else { return nil }
            let adapter = OpenAICompatibleAdapter(
                providerName: settings.name, preset: preset, baseURL: baseURL, apiKey: settings.apiKey, apiVersion: settings.apiVersion,
                extraHeaders: settings.headers)
            return settings.responsesAPI ?? preset.responsesAPI ? OpenAIResponsesAdapter(adapter) : adapter
        }
    }
}
