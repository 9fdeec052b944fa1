import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite
import SwitchyardTesting
import Testing

/// Vertex AI (service-account tokens, Gemini and Claude) and Cohere (chat, embed, rerank)
/// through the gateway against the fake's token endpoint and provider paths.
@Suite struct VertexCohereServerTests {
    static func edit(_ configuration: inout GatewayConfiguration, foreignKey: Bool) {
        let base = configuration.provider(named: "fake")?.baseURL?.replacingOccurrences(of: "/v1", with: "") ?? ""
        var vertex = ProviderSettings(name: "vertex", type: "vertex", baseURL: base)
        vertex.project = "switchyard-test"
        vertex.region = "us-east5"
        // The key file as Google issues it, its token_uri pointing at the fake.
        vertex.credentialsFile = try? Fixtures.locate().vertexServiceAccountFile(tokenURI: base + "/token", foreignKey: foreignKey)
        configuration.providers.append(vertex)
        configuration.providers.append(ProviderSettings(name: "cohere", type: "cohere", baseURL: base, apiKey: Secret(GatewayHarness.upstreamKey)))
        configuration.models += [
            ModelSettings(name: "vertex-gemini", targets: [TargetSettings(provider: "vertex", model: "gemini-2.5-flash")]),
            ModelSettings(name: "vertex-claude", targets: [TargetSettings(provider: "vertex", model: "claude-sonnet-4@20250514")]),
            ModelSettings(name: "command", targets: [TargetSettings(provider: "cohere", model: "command-a-03-2025")]),
            ModelSettings(name: "cohere-embed", targets: [TargetSettings(provider: "cohere", model: "embed-v4.0")]),
            ModelSettings(name: "cohere-rerank", targets: [TargetSettings(provider: "cohere", model: "rerank-v3.5")]),
        ]
    }

    static func edit(_ configuration: inout GatewayConfiguration) { edit(&configuration, foreignKey: false) }

    static let anthropicHeaders: HTTPFields = [
        .authorization: "Bearer \(GatewayHarness.masterKey)", .contentType: "application/json", HTTPField.Name("anthropic-version")!: "2023-06-01",
    ]

    @Test func vertexServesGeminiAndClaudeWithOneCachedServiceAccountToken() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("vertex-gemini")) { response in
                #expect(response.status == .ok)
                let object = try json(response.body)
                #expect((object["choices"] as? [[String: Any]])?.first != nil)
            }
            let gemini = try #require(fake.requests.last)
            #expect(gemini.path == "/v1/projects/switchyard-test/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent")
            #expect(gemini.headers["authorization"] == "Bearer ya29.fake-1")
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("vertex-gemini", stream: true)
            ) { response in
                #expect(String(buffer: response.body).hasSuffix("data: [DONE]\n\n"))
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("vertex-claude")) { response in
                #expect(response.status == .ok)
            }
            #expect(fake.requests.last?.path.hasSuffix("/publishers/anthropic/models/claude-sonnet-4%4020250514:rawPredict") == true)
            let messages = ByteBuffer(string: #"{"model":"vertex-claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
            try await client.execute(uri: "/v1/messages", method: .post, headers: Self.anthropicHeaders, body: messages) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("event: message_stop"))
            }
            let forwarded = try #require(fake.requests.last?.json)
            #expect(forwarded["anthropic_version"] as? String == "vertex-2023-10-16" && forwarded["model"] == nil)
            #expect(fake.issuedTokens == ["ya29.fake-1"], "one token for every request while it is fresh")
            #expect(fake.requests.filter { $0.path == "/token" }.count == 1)
            // Priced from the catalog's Vertex entries.
            let row = try await ledgerRequests(store, model: "vertex-claude", count: 2)
            #expect((row?.cost ?? .zero) > .zero)
        }
    }

    @Test func aServiceAccountTheTokenEndpointRefusesIsA502() async throws {
        // A key the token endpoint does not know (its signature check fails).
        try await GatewayHarness.run(edit: { configuration in
            Self.edit(&configuration, foreignKey: true)
        }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("vertex-gemini")) { response in
                #expect(response.status.code == 502)
                let error = try errorObject(response.body)
                #expect((error["message"] as? String)?.contains("access token") == true)
                #expect(!(String(buffer: response.body).contains("PRIVATE KEY")))
            }
            #expect(fake.issuedTokens.isEmpty)
        }
    }

    @Test func cohereChatsStreamsCallsToolsEmbedsAndReranks() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("command")) { response in
                let object = try json(response.body)
                let message = (object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
                #expect(message?["content"] as? String == "Hello! How can I help you today?")
                #expect((object["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 71)
            }
            #expect(fake.requests.last?.path == "/v2/chat")
            #expect(fake.requests.last?.headers["authorization"] == "Bearer \(GatewayHarness.upstreamKey)")
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("command", stream: true)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#""content":" help you today?""#) && text.hasSuffix("data: [DONE]\n\n"))
            }
            let tools = chatBody("command", extra: #","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: tools) { response in
                let choice = (try json(response.body)["choices"] as? [[String: Any]])?.first
                #expect(choice?["finish_reason"] as? String == "tool_calls")
                let call = ((choice?["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any]
                #expect(call?["arguments"] as? String == #"{"location":"Toronto"}"#)
            }
            let embed = ByteBuffer(string: #"{"model":"cohere-embed","input":["hello","goodbye"]}"#)
            try await client.execute(uri: "/v1/embeddings", method: .post, headers: .authorized, body: embed) { response in
                let data = try json(response.body)["data"] as? [[String: Any]]
                #expect(data?.count == 2)
            }
            #expect((fake.requests.last?.json?["texts"] as? [String]) == ["hello", "goodbye"])
            let rerank = ByteBuffer(string: #"{"model":"cohere-rerank","query":"gateway?","documents":["Bananas.","Switchyard is a gateway."],"top_n":2}"#)
            try await client.execute(uri: "/v1/rerank", method: .post, headers: .authorized, body: rerank) { response in
                let results = try json(response.body)["results"] as? [[String: Any]]
                #expect(results?.first?["index"] as? Int == 1)
            }
            #expect(fake.requests.last?.path == "/v2/rerank")
            #expect(try await ledgerRequests(store, model: "cohere-rerank", count: 1)?.cost == Money(decimal: "0.002"), "one search unit")
            let images = ByteBuffer(string: #"{"model":"command","prompt":"x"}"#)
            try await client.execute(uri: "/v1/images/generations", method: .post, headers: .authorized, body: images) { response in
                #expect(response.status == .badRequest, "Cohere has no image endpoint: said, not sent")
            }
        }
    }
}
