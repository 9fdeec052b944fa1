import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import Testing

/// Every OpenAI-compatible preset against the fake: its URL layout, its auth, its quirks.
@Suite struct PresetTests {
    static let presets = OpenAICompatiblePreset.all.keys.filter { $0 != "azure" }.sorted()

    @Test(arguments: presets)
    func aPresetReachesTheFakeWithItsAuthAndQuirks(_ type: String) async throws {
        let preset = try #require(OpenAICompatiblePreset.all[type])
        try await GatewayHarness.run(edit: { configuration in
            let base = configuration.provider(named: "fake")?.baseURL ?? ""
            let url = preset.endpoints == .azureFoundry ? base.replacingOccurrences(of: "/v1", with: "/models") : base
            configuration.providers.append(ProviderSettings(name: "preset", type: type, baseURL: url, apiKey: Secret(GatewayHarness.upstreamKey)))
            configuration.models.append(ModelSettings(name: "via-preset", targets: [TargetSettings(provider: "preset", model: "gpt-4o-mini")]))
        }) { client, fake in
            let body = chatBody("via-preset", extra: #","max_completion_tokens":50,"temperature":1.5"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
                #expect(response.status == .ok, "\(type): \(String(buffer: response.body))")
            }
            let forwarded = try #require(fake.requests.last)
            let json = try #require(forwarded.json)
            if preset.quirks.maxTokensOnly {
                #expect(json["max_tokens"] as? Int == 50 && json["max_completion_tokens"] == nil, "\(type) gets max_tokens")
            } else {
                #expect(json["max_completion_tokens"] as? Int == 50, "\(type) gets the body as sent")
            }
            #expect(json["temperature"] as? Double == preset.quirks.maxTemperature ?? 1.5)
            switch preset.auth {
            case .bearer: #expect(forwarded.headers["authorization"] == "Bearer \(GatewayHarness.upstreamKey)")
            case .apiKeyHeader(let name): #expect(forwarded.headers[name] == GatewayHarness.upstreamKey)
            }
        }
    }
}
