/// Token usage of one served request, in the canonical form every adapter maps into.
public struct Usage: Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Prompt tokens served from the provider's cache (included in `promptTokens`).
    public var cachedPromptTokens: Int
    /// Completion tokens spent on hidden reasoning (included in `completionTokens`).
    public var reasoningTokens: Int
    /// True when the numbers are the gateway's estimate because the upstream reported none.
    public var isEstimated: Bool

    public init(promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int = 0, reasoningTokens: Int = 0, isEstimated: Bool = false) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.reasoningTokens = reasoningTokens
        self.isEstimated = isEstimated
    }

    public var totalTokens: Int { promptTokens + completionTokens }
}

/// Prices in USD per million tokens.
public struct Price: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cachedInput: Double?

    public init(input: Double, output: Double, cachedInput: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
    }

    /// The cost of `usage` at this price in nanodollars (10⁻⁹ USD), computed in integers so
    /// money never passes through floating point.
    public func costNanos(of usage: Usage) -> Int64 {
        let inputRate = Price.nanosPerMillion(input)
        let cachedRate = Price.nanosPerMillion(cachedInput ?? input)
        let outputRate = Price.nanosPerMillion(output)
        let uncached = Int64(max(0, usage.promptTokens - usage.cachedPromptTokens))
        let total = uncached * inputRate + Int64(usage.cachedPromptTokens) * cachedRate + Int64(usage.completionTokens) * outputRate
        return (total + 500_000) / 1_000_000
    }

    /// The estimate a reservation holds: `promptTokens` at the input price plus `maxTokens` at the output price.
    public func reservationNanos(promptTokens: Int, maxTokens: Int) -> Int64 {
        costNanos(of: Usage(promptTokens: promptTokens, completionTokens: maxTokens))
    }

    /// A configured USD-per-million price as integer nanodollars per million tokens.
    static func nanosPerMillion(_ usd: Double) -> Int64 { Int64((usd * 1_000_000_000).rounded()) }
}
