import Foundation

/// What Switchyard knows about models it does not serve itself: list prices, context windows,
/// output limits, capabilities and announced deprecations, per provider type and model — from
/// the dated, sourced data file `Resources/catalog.json` (every entry names its source page and
/// the day it was read), merged with a newer file in the data directory (`switchyard catalog
/// update`). Config `price:`, `context_window:` and `supports:` override it.
public struct ModelCatalog: Sendable {
    /// The day of the newest entry.
    public let asOf: String
    public let entries: [Entry]
    /// `provider/model` (and `provider/alias`) → index in `entries`.
    private let index: [String: Int]

    /// One model at one provider.
    public struct Entry: Sendable, Equatable, Codable {
        public var provider: String
        public var model: String
        /// `chat`, `completion`, `embedding`, `image`, `speech`, `transcription`, `moderation` or `rerank`.
        public var kind: String
        /// Other names the provider accepts for the same model (`claude-sonnet-4-0`).
        public var aliases: [String]?
        public var input: Double?
        public var output: Double?
        public var cachedInput: Double?
        public var cacheWrite: Double?
        public var perImage: Double?
        public var perAudioSecond: Double?
        public var perMillionCharacters: Double?
        public var perRequest: Double?
        public var contextWindow: Int?
        public var maxOutputTokens: Int?
        /// `vision`, `tools`, `json_schema`, `reasoning`, `audio_in`, `audio_out`.
        public var capabilities: [String]
        /// The day the provider retires the model, when it announced one (YYYY-MM-DD).
        public var deprecation: String?
        /// The page the numbers were read from, and the day (YYYY-MM-DD).
        public var source: String
        public var asOf: String

        enum CodingKeys: String, CodingKey {
            case provider, model, kind, aliases, input, output, capabilities, deprecation, source
            case cachedInput = "cached_input", cacheWrite = "cache_write", perImage = "per_image", perAudioSecond = "per_audio_second"
            case perMillionCharacters = "per_million_characters", perRequest = "per_request", contextWindow = "context_window"
            case maxOutputTokens = "max_output_tokens", asOf = "as_of"
        }

        public static let kinds: Set<String> = ["chat", "completion", "embedding", "image", "speech", "transcription", "moderation", "rerank"]
        public static let knownCapabilities: Set<String> = ["vision", "tools", "json_schema", "reasoning", "audio_in", "audio_out"]

        /// The entry's price; nil when it names none (a model of unknown price is unpriced, never free).
        public var price: Price? {
            let unitPrices = [perImage, perAudioSecond, perMillionCharacters, perRequest]
            guard input != nil || output != nil || unitPrices.contains(where: { $0 != nil }) else { return nil }
            return Price(
                input: input ?? 0, output: output ?? 0, cachedInput: cachedInput, cacheWrite: cacheWrite, perImage: perImage,
                perAudioSecond: perAudioSecond, perMillionCharacters: perMillionCharacters, perRequest: perRequest)
        }

        public func supports(_ capability: String) -> Bool { capabilities.contains(capability) }

        var key: String { "\(provider)/\(model)" }
    }

    /// Why a catalog file cannot be used.
    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    private struct File: Codable {
        var as_of: String?
        var note: String?
        var models: [Entry]
    }

    /// The catalog shipped with Switchyard (empty if its file cannot be read).
    public static let shipped: ModelCatalog = {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "json"), let data = try? Data(contentsOf: url),
            let catalog = try? ModelCatalog(json: data)
        else { return ModelCatalog(entries: []) }
        return catalog
    }()

    /// The shipped catalog merged with `<dataDirectory>/catalog.json` when there is one (a
    /// file that does not validate is ignored, with the reason).
    public static func load(dataDirectory: String) -> (catalog: ModelCatalog, problem: String?) {
        let path = updatePath(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return (shipped, nil) }
        do {
            return (shipped.merged(with: try ModelCatalog(json: Data(contentsOf: URL(fileURLWithPath: path)))), nil)
        } catch {
            return (shipped, "\(path): \(error) — using the shipped catalog")
        }
    }

    /// Where `switchyard catalog update` keeps the merged catalog.
    public static func updatePath(dataDirectory: String) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("catalog.json").path
    }

    public init(entries: [Entry]) {
        self.entries = entries
        self.asOf = entries.map(\.asOf).max() ?? ""
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() {
            index[entry.key] = index[entry.key] ?? position
            for alias in entry.aliases ?? [] { index["\(entry.provider)/\(alias)"] = index["\(entry.provider)/\(alias)"] ?? position }
        }
        self.index = index
    }

    /// Parses and validates a catalog file: every entry has a provider, model, known kind,
    /// source and date, a price, non-negative finite numbers, and appears once.
    public init(json: Data) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch {
            throw Invalid(problems: ["not a catalog file (\(error))"])
        }
        let problems = ModelCatalog.problems(in: file.models)
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        self.init(entries: file.models)
    }

    static func problems(in entries: [Entry]) -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        for entry in entries {
            let name = entry.key
            if entry.provider.isEmpty || entry.model.isEmpty { problems.append("\(name): provider and model are required") }
            if !seen.insert(name).inserted { problems.append("\(name): listed twice") }
            for alias in entry.aliases ?? [] where !seen.insert("\(entry.provider)/\(alias)").inserted {
                problems.append("\(name): alias \(alias) is listed twice")
            }
            if !Entry.kinds.contains(entry.kind) { problems.append("\(name): unknown kind \(entry.kind)") }
            if !(entry.source.hasPrefix("https://") || entry.source.hasPrefix("http://")) { problems.append("\(name): source must be a URL") }
            if CivilDate(entry.asOf) == nil { problems.append("\(name): as_of must be a date (YYYY-MM-DD)") }
            if let deprecation = entry.deprecation, CivilDate(deprecation) == nil { problems.append("\(name): deprecation must be a date (YYYY-MM-DD)") }
            if let price = entry.price {
                if !price.isValid { problems.append("\(name): prices must be finite and not negative") }
            } else {
                problems.append("\(name): no price")
            }
            for limit in [entry.contextWindow, entry.maxOutputTokens] where (limit ?? 1) <= 0 {
                problems.append("\(name): context_window and max_output_tokens must be positive")
            }
            for capability in entry.capabilities where !Entry.knownCapabilities.contains(capability) {
                problems.append("\(name): unknown capability \(capability)")
            }
        }
        return problems
    }

    /// This catalog with `newer`'s entries added, and replacing ours where they are dated the
    /// same day or later.
    public func merged(with newer: ModelCatalog) -> ModelCatalog {
        var entries = self.entries
        var positions = Dictionary(entries.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in newer.entries {
            if let position = positions[entry.key] {
                if entry.asOf >= entries[position].asOf { entries[position] = entry }
            } else {
                positions[entry.key] = entries.count
                entries.append(entry)
            }
        }
        return ModelCatalog(entries: entries)
    }

    /// The catalog as a file `init(json:)` reads.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(File(as_of: asOf, note: nil, models: entries))
    }

    /// The entry for `model` at a provider of type `providerType`. An `azure` deployment of an
    /// OpenAI model is OpenAI's model; a Bedrock cross-region inference profile
    /// (`us.anthropic.…`) is its model.
    public func entry(providerType: String, model: String) -> Entry? {
        if let position = index["\(providerType)/\(model)"] { return entries[position] }
        switch providerType {
        case "azure", "azure-foundry":
            return index["openai/\(model)"].map { entries[$0] }
        case "bedrock":
            let parts = model.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, ["us", "eu", "apac", "global", "jp", "au"].contains(String(parts[0])) else { return nil }
            return index["bedrock/\(parts[1])"].map { entries[$0] }
        default:
            return nil
        }
    }

    /// The list price of `model` at a provider of type `providerType`.
    public func price(providerType: String, model: String) -> Price? {
        entry(providerType: providerType, model: model)?.price
    }
}
