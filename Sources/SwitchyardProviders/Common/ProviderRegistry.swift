public import SwitchyardCore

/// Builds the adapter for a configured provider, and knows which provider types exist.
public enum ProviderRegistry {
    /// Every accepted `type:` value.
    public static var knownTypes: [String] { OpenAICompatiblePreset.all.keys.sorted() }

    /// Why a provider's settings cannot be used, if they cannot.
    public static func problems(with settings: ProviderSettings) -> [(field: String, message: String)] {
        guard let preset = OpenAICompatiblePreset.all[settings.type] else {
            return [("type", "unknown provider type \"\(settings.type)\" (known: \(knownTypes.joined(separator: ", ")))")]
        }
        var problems: [(field: String, message: String)] = []
        if preset.defaultBaseURL == nil && (settings.baseURL ?? "").isEmpty {
            problems.append(("base_url", "required for type \(settings.type)"))
        }
        if let url = settings.baseURL, !url.isEmpty, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            problems.append(("base_url", "must start with http:// or https:// (got \"\(url)\")"))
        }
        if preset.requiresAPIKey && (settings.apiKey?.isEmpty ?? true) {
            problems.append(("api_key", "required for type \(settings.type) (is its environment variable set?)"))
        }
        return problems
    }

    /// The adapter for `settings`; call `problems(with:)` first — invalid settings give nil.
    public static func adapter(for settings: ProviderSettings) -> (any ProviderAdapter)? {
        guard problems(with: settings).isEmpty, let preset = OpenAICompatiblePreset.all[settings.type],
            let baseURL = settings.baseURL.flatMap({ $0.isEmpty ? nil : $0 }) ?? preset.defaultBaseURL
        else { return nil }
        return OpenAICompatibleAdapter(
            providerName: settings.name, preset: preset, baseURL: baseURL, apiKey: settings.apiKey, extraHeaders: settings.headers)
    }
}
