import Foundation
public import SwitchyardCore

/// List prices per provider and model, from the dated data file `Resources/prices.json`
/// (its `sources` name where each came from). Config `price:` overrides it.
public struct PriceCatalog: Sendable {
    public let asOf: String
    private let prices: [String: Price]

    /// The catalog shipped with Switchyard (empty if the file cannot be read).
    public static let shipped: PriceCatalog = {
        guard let url = Bundle.module.url(forResource: "prices", withExtension: "json"), let data = try? Data(contentsOf: url),
            let catalog = try? PriceCatalog(json: data)
        else { return PriceCatalog(asOf: "", prices: [:]) }
        return catalog
    }()

    init(asOf: String, prices: [String: Price]) {
        self.asOf = asOf
        self.prices = prices
    }

    public init(json: Data) throws {
        struct File: Decodable {
            struct Entry: Decodable {
                var provider: String
                var model: String
                var input: Double
                var output: Double
                var cached_input: Double?
                var cache_write: Double?
            }
            var as_of: String
            var prices: [Entry]
        }
        let file = try JSONDecoder().decode(File.self, from: json)
        asOf = file.as_of
        prices = Dictionary(
            file.prices.map { ("\($0.provider)/\($0.model)", Price(input: $0.input, output: $0.output, cachedInput: $0.cached_input, cacheWrite: $0.cache_write)) },
            uniquingKeysWith: { first, _ in first })
    }

    /// The list price of `model` at a provider of type `providerType` (an OpenAI-compatible
    /// `azure` deployment of an OpenAI model uses OpenAI's price).
    public func price(providerType: String, model: String) -> Price? {
        prices["\(providerType)/\(model)"] ?? (providerType == "azure" ? prices["openai/\(model)"] : nil)
    }
}
