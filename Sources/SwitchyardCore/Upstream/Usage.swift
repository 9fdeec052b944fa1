/// Token usage of one served request, in the canonical form every adapter maps into.
public struct Usage: Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Prompt tokens served from the provider's cache (included in `promptTokens`).
    public var cachedPromptTokens: Int
    /// Prompt tokens written to the provider's cache (included in `promptTokens`; Anthropic
    /// `cache_creation_input_tokens`, billed at `Price.cacheWrite`).
    public var cacheWriteTokens: Int
    /// Completion tokens spent on hidden reasoning (included in `completionTokens`).
    public var reasoningTokens: Int
    /// True when the numbers are the gateway's estimate because the upstream reported none.
    public var isEstimated: Bool
    /// What is billed per unit rather than per token: images made, audio transcribed, speech
    /// characters, rerank searches.
    public var units = BilledUnits()

    public init(
        promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int = 0, cacheWriteTokens: Int = 0, reasoningTokens: Int = 0,
        isEstimated: Bool = false
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
        self.isEstimated = isEstimated
    }

    /// Saturating: absurd counts from an upstream never trap.
    public var totalTokens: Int {
        let (sum, overflow) = promptTokens.addingReportingOverflow(completionTokens)
        return overflow ? .max : sum
    }

    /// The largest token count the gateway takes from an upstream (2³⁹ ≈ 550 billion): counts
    /// above it are clamped, so costs, metrics and rate limits stay in range.
    public static let maxTokens = 1 << 39

    /// The usage with every count in 0…`maxTokens` and the parts within their wholes (cached +
    /// cache writes ≤ prompt, reasoning ≤ completion): what an upstream reports can never
    /// credit a key or trap.
    public var sanitized: Usage {
        func clamp(_ value: Int, _ upper: Int = Usage.maxTokens) -> Int { Swift.min(Swift.max(0, value), upper) }
        let prompt = clamp(promptTokens), completion = clamp(completionTokens)
        let cached = clamp(cachedPromptTokens, prompt)
        var usage = Usage(
            promptTokens: prompt, completionTokens: completion, cachedPromptTokens: cached, cacheWriteTokens: clamp(cacheWriteTokens, prompt - cached),
            reasoningTokens: clamp(reasoningTokens, completion), isEstimated: isEstimated)
        usage.units = BilledUnits(
            images: clamp(units.images, BilledUnits.maxCount), audioMilliseconds: clamp(units.audioMilliseconds, BilledUnits.maxCount),
            characters: clamp(units.characters, BilledUnits.maxCount), requests: clamp(units.requests, BilledUnits.maxCount))
        return usage
    }

    /// A saturating sum of token counts an upstream reports (each may be absurd).
    public static func sum(_ counts: Int...) -> Int {
        counts.reduce(0) { total, count in
            let (sum, overflow) = total.addingReportingOverflow(Swift.max(0, count))
            return overflow ? .max : sum
        }
    }
}

/// What a request used that is billed per unit, not per token.
public struct BilledUnits: Sendable, Equatable {
    public var images: Int
    /// Seconds of audio in, in milliseconds (transcription and translation bill by duration).
    public var audioMilliseconds: Int
    /// Characters of text turned into speech.
    public var characters: Int
    /// Billed requests (rerank search units).
    public var requests: Int

    /// The largest count taken from a client or an upstream (2³⁹).
    public static let maxCount = 1 << 39

    public init(images: Int = 0, audioMilliseconds: Int = 0, characters: Int = 0, requests: Int = 0) {
        self.images = images
        self.audioMilliseconds = audioMilliseconds
        self.characters = characters
        self.requests = requests
    }

    public var isEmpty: Bool { self == BilledUnits() }
}

/// Prices in USD per million tokens, and per unit for what is billed so.
public struct Price: Sendable, Equatable {
    public var input: Double
    public var output: Double
    /// Prompt tokens read from the provider's cache (default: `input`).
    public var cachedInput: Double?
    /// Prompt tokens written to the provider's cache (Anthropic: 1.25× input; default: `input`).
    public var cacheWrite: Double?

    /// USD per image made.
    public var perImage: Double?
    /// USD per second of audio transcribed or translated.
    public var perAudioSecond: Double?
    /// USD per million characters turned into speech.
    public var perMillionCharacters: Double?
    /// USD per billed request (a rerank search unit).
    public var perRequest: Double?

    public init(
        input: Double, output: Double, cachedInput: Double? = nil, cacheWrite: Double? = nil, perImage: Double? = nil, perAudioSecond: Double? = nil,
        perMillionCharacters: Double? = nil, perRequest: Double? = nil
    ) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.perImage = perImage
        self.perAudioSecond = perAudioSecond
        self.perMillionCharacters = perMillionCharacters
        self.perRequest = perRequest
    }

    /// Whether every rate is a finite, non-negative number.
    public var isValid: Bool {
        [input, output, cachedInput, cacheWrite, perImage, perAudioSecond, perMillionCharacters, perRequest].allSatisfy { rate in
            rate.map { $0.isFinite && $0 >= 0 } ?? true
        }
    }

    /// The cost of `usage` at this price in nanodollars (10⁻⁹ USD), computed in integers so
    /// money never passes through floating point. Counts are sanitised first and the sum is
    /// taken in 128 bits, so no usage an upstream reports can trap or go negative; a cost past
    /// `Int64.max` is clamped there.
    public func costNanos(of usage: Usage) -> Int64 {
        let usage = usage.sanitized
        let inputRate = Int128(Price.nanosPerMillion(input))
        let cachedRate = Int128(Price.nanosPerMillion(cachedInput ?? input))
        let writeRate = Int128(Price.nanosPerMillion(cacheWrite ?? input))
        let outputRate = Int128(Price.nanosPerMillion(output))
        let uncached = Int128(usage.promptTokens - usage.cachedPromptTokens - usage.cacheWriteTokens)
        let total = uncached * inputRate + Int128(usage.cachedPromptTokens) * cachedRate + Int128(usage.cacheWriteTokens) * writeRate
            + Int128(usage.completionTokens) * outputRate
        // Per-unit prices scaled to per million units, so one integer division rounds them all.
        let units = usage.units
        let perUnit = Int128(units.images) * Int128(Price.nanosPerMillion(perImage ?? 0)) * 1_000_000
            + Int128(units.audioMilliseconds) * Int128(Price.nanosPerMillion(perAudioSecond ?? 0)) * 1_000
            + Int128(units.characters) * Int128(Price.nanosPerMillion(perMillionCharacters ?? 0))
            + Int128(units.requests) * Int128(Price.nanosPerMillion(perRequest ?? 0)) * 1_000_000
        return Int64(clamping: (total + perUnit + 500_000) / 1_000_000)
    }

    /// The estimate a reservation holds: `promptTokens` at the input price plus `maxTokens` at
    /// the output price for each of `choices` answers, plus the units the request asks for.
    public func reservationNanos(promptTokens: Int, maxTokens: Int, choices: Int = 1, units: BilledUnits = BilledUnits()) -> Int64 {
        let (output, overflow) = Swift.max(0, maxTokens).multipliedReportingOverflow(by: Swift.max(1, choices))
        var usage = Usage(promptTokens: promptTokens, completionTokens: overflow ? .max : output)
        usage.units = units
        return costNanos(of: usage)
    }

    /// A configured USD-per-million price as integer nanodollars per million tokens, in
    /// 0…10¹⁸ (a thousand USD per token): NaN, negative or absurd prices never trap.
    static func nanosPerMillion(_ usd: Double) -> Int64 {
        guard usd.isFinite, usd > 0 else { return 0 }
        let nanos = (usd * 1_000_000_000).rounded()
        return nanos >= 1e18 ? 1_000_000_000_000_000_000 : Int64(nanos)
    }
}
