import Foundation
import Testing
@testable import SwitchyardCore

@Suite struct ModelCatalogTests {
    let catalog = ModelCatalog.shipped

    @Test func theShippedCatalogIsLargeDatedAndSourced() throws {
        #expect(catalog.entries.count >= 60, "at least 60 models")
        #expect(Set(catalog.entries.map(\.provider)).count >= 20, "from at least 20 providers")
        #expect(CivilDate(catalog.asOf) != nil)
        #expect(ModelCatalog.problems(in: catalog.entries).isEmpty, "every entry validates: \(ModelCatalog.problems(in: catalog.entries))")
        for entry in catalog.entries {
            #expect(entry.source.hasPrefix("https://"), "\(entry.provider)/\(entry.model) names its source")
            #expect(CivilDate(entry.asOf) != nil, "\(entry.provider)/\(entry.model) is dated")
            #expect(entry.price != nil, "\(entry.provider)/\(entry.model) has a price")
            if entry.kind == "chat" { #expect(entry.contextWindow != nil, "\(entry.provider)/\(entry.model) has a context window") }
        }
        // Every kind the gateway serves has priced models, billed in their own unit.
        for kind in ["chat", "completion", "embedding", "image", "speech", "transcription", "moderation", "rerank"] {
            #expect(catalog.entries.contains { $0.kind == kind }, "a \(kind) model")
        }
        #expect(catalog.price(providerType: "openai", model: "dall-e-3")?.perImage == 0.04)
        #expect(catalog.price(providerType: "openai", model: "whisper-1")?.perAudioSecond == 0.0001)
        #expect(catalog.price(providerType: "openai", model: "tts-1")?.perMillionCharacters == 15)
    }

    @Test func lookupsFollowAliasesAzureAndBedrockProfiles() throws {
        let mini = try #require(catalog.price(providerType: "openai", model: "gpt-4o-mini"))
        #expect(mini.input == 0.15 && mini.output == 0.60)
        #expect(catalog.price(providerType: "azure", model: "gpt-4o-mini") == mini, "Azure OpenAI bills OpenAI's list price")
        #expect(catalog.entry(providerType: "anthropic", model: "claude-sonnet-4-0")?.model == "claude-sonnet-4-20250514")
        #expect(catalog.entry(providerType: "bedrock", model: "us.anthropic.claude-sonnet-4-20250514-v1:0")?.contextWindow == 200_000)
        #expect(catalog.price(providerType: "openai", model: "no-such-model") == nil)
        #expect(catalog.entry(providerType: "anthropic", model: "claude-3-5-sonnet-20241022")?.deprecation == "2025-10-22")
    }

    func entry(_ model: String, asOf: String = "2026-01-01", input: Double? = 1) -> ModelCatalog.Entry {
        ModelCatalog.Entry(
            provider: "p", model: model, kind: "chat", input: input, output: input, capabilities: ["tools"], source: "https://example.com/pricing",
            asOf: asOf)
    }

    @Test func invalidFilesAreRefusedWithEveryProblem() throws {
        var unsourced = entry("b")
        unsourced.source = "a friend"
        var negative = entry("c")
        negative.output = -1
        var badKind = entry("d")
        badKind.kind = "telepathy"
        let problems = ModelCatalog.problems(in: [entry("a"), entry("a"), unsourced, negative, entry("e", asOf: "2026-02-30"), entry("f", input: nil), badKind])
        #expect(problems.contains("p/a: listed twice"))
        #expect(problems.contains("p/b: source must be a URL"))
        #expect(problems.contains("p/c: prices must be finite and not negative"))
        #expect(problems.contains("p/e: as_of must be a date (YYYY-MM-DD)"))
        #expect(problems.contains("p/f: no price"))
        #expect(problems.contains("p/d: unknown kind telepathy"))
        #expect(throws: ModelCatalog.Invalid.self) { try ModelCatalog(json: Data(#"{"models":[{"provider":"p"}]}"#.utf8)) }
    }

    @Test func aNewerFileReplacesOlderEntriesAndAddsNewOnes() throws {
        let base = ModelCatalog(entries: [entry("a", asOf: "2026-01-01"), entry("b", asOf: "2026-03-01")])
        var cheaper = entry("a", asOf: "2026-02-01", input: 0.5)
        cheaper.capabilities = []
        let update = ModelCatalog(entries: [cheaper, entry("b", asOf: "2026-02-01", input: 9), entry("c")])
        let merged = base.merged(with: update)
        #expect(merged.price(providerType: "p", model: "a")?.input == 0.5, "newer entry wins")
        #expect(merged.price(providerType: "p", model: "b")?.input == 1, "an older entry does not replace a newer one")
        #expect(merged.entry(providerType: "p", model: "c") != nil)
        let reread = try ModelCatalog(json: merged.json())
        #expect(reread.entries == merged.entries, "the merged file round-trips")
        #expect(reread.asOf == "2026-03-01")
    }

    @Test func unitPricesAreChargedExactly() {
        let price = Price(input: 0, output: 0, perImage: 0.04, perAudioSecond: 0.0001, perMillionCharacters: 15, perRequest: 0.002)
        var usage = Usage(promptTokens: 0, completionTokens: 0)
        usage.units = BilledUnits(images: 3, audioMilliseconds: 61_500, characters: 1_000, requests: 2)
        // 0.12 + 0.00615 + 0.015 + 0.004 USD
        #expect(price.costNanos(of: usage) == 120_000_000 + 6_150_000 + 15_000_000 + 4_000_000)
        usage.units = BilledUnits(images: .max, audioMilliseconds: -5, characters: .max, requests: .max)
        #expect(price.costNanos(of: usage) > 0, "absurd counts are clamped, never trap or go negative")
        #expect(price.reservationNanos(promptTokens: 0, maxTokens: 0, units: BilledUnits(images: 2)) == 80_000_000)
    }

    @Test func datesParseStrictlyAndRoundTrip() throws {
        #expect(CivilDate("2024-02-29")?.iso8601 == "2024-02-29")
        #expect(CivilDate("2023-02-29") == nil)
        #expect(CivilDate("2026-13-01") == nil)
        #expect(CivilDate("26-01-01") == nil)
        let day = try #require(CivilDate("2026-11-30"))
        #expect(CivilDate(daysSince1970: day.daysSince1970) == day)
        #expect(CivilDate("1970-01-01")?.daysSince1970 == 0)
    }
}
