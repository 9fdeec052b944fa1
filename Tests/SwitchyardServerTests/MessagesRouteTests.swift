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

func messagesBody(_ model: String, stream: Bool = false, extra: String = "") -> ByteBuffer {
    ByteBuffer(string: #"{"model":"\#(model)","max_tokens":256,"stream":\#(stream),"system":"Be brief.","messages":[{"role":"user","content":"Hello, Claude"}]\#(extra)}"#)
}

extension HTTPFields {
    /// How anthropic 2.x authenticates: a bearer key, plus its version header.
    static var anthropicSDK: HTTPFields {
        [.authorization: "Bearer \(GatewayHarness.masterKey)", .contentType: "application/json", HTTPField.Name("anthropic-version")!: "2026-10-21"]
    }
}

/// `POST /v1/messages` served by every kind of deployment.
@Suite struct MessagesRouteTests {
    static let tools = #","tools":[{"name":"get_weather","description":"Get the weather","input_schema":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}]"#

    @Test(arguments: ["claude", "mini", "gemini-flash", "nova"])
    func answersInAnthropicsMessageShape(_ alias: String) async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody(alias)) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["type"] as? String == "message")
                #expect((body["id"] as? String)?.hasPrefix("msg_") == true)
                let content = try #require(body["content"] as? [[String: Any]])
                #expect(content.first?["type"] as? String == "text")
                #expect((content.first?["text"] as? String)?.hasPrefix("Hello") == true)
                #expect(body["stop_reason"] as? String == "end_turn")
                let usage = try #require(body["usage"] as? [String: Any])
                #expect((usage["input_tokens"] as? Int ?? 0) > 0)
                #expect(response.headers[HTTPField.Name("request-id")!]?.hasPrefix("req_") == true)
            }
        }
    }

    @Test func theOpenAIUpstreamReceivesATranslatedRequest() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody("mini", extra: Self.tools)) { response in
                #expect(response.status == .ok)
                let content = try #require(try json(response.body)["content"] as? [[String: Any]])
                #expect(content.contains { $0["type"] as? String == "tool_use" })
            }
            let sent = try #require(fake.requests.last?.json)
            let messages = try #require(sent["messages"] as? [[String: Any]])
            #expect(messages.first?["role"] as? String == "system")
            #expect(sent["max_tokens"] as? Int == 256)
            #expect(((sent["tools"] as? [[String: Any]])?.first?["type"]) as? String == "function")
        }
    }

    @Test(arguments: ["claude", "mini", "gemini-flash", "nova"])
    func streamsAreAnthropicEventStreams(_ alias: String) async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody(alias, stream: true, extra: Self.tools)) { response in
                #expect(response.status == .ok)
                var parser = SSEParser()
                let events = try parser.feed(response.body.readableBytesView)
                let names = events.compactMap(\.event)
                #expect(names.first == "message_start")
                #expect(names.last == "message_stop")
                #expect(names.contains("content_block_start") && names.contains("content_block_stop"))
                #expect(events.allSatisfy { $0.event != nil }, "every event needs its event: line")
                let start = try JSONValue.parse(events[0].data)
                #expect((start["message"]?["usage"]?["input_tokens"]?.intValue ?? 0) > 0)
                let deltas = events.filter { $0.event == "content_block_delta" }.compactMap { try? JSONValue.parse($0.data) }
                #expect(deltas.contains { $0["delta"]?["type"] == .string("input_json_delta") })
                let messageDelta = try #require(events.first { $0.event == "message_delta" })
                #expect(try JSONValue.parse(messageDelta.data)["delta"]?["stop_reason"] == .string("tool_use"))
            }
        }
    }

    @Test func errorsUseAnthropicsEnvelope() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody("no-such-model")) { response in
                #expect(response.status == .notFound)
                let body = try json(response.body)
                #expect(body["type"] as? String == "error")
                #expect((body["error"] as? [String: Any])?["type"] as? String == "not_found_error")
                #expect((body["request_id"] as? String)?.hasPrefix("req_") == true)
            }
            var badKey = HTTPFields.anthropicSDK
            badKey[.authorization] = nil
            badKey[HTTPField.Name("x-api-key")!] = "sk-sy-wrong"
            try await client.execute(uri: "/v1/messages", method: .post, headers: badKey, body: messagesBody("claude")) { response in
                #expect(response.status == .unauthorized)
                let error = try errorObject(response.body)
                #expect(error["type"] as? String == "authentication_error")
            }
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: ByteBuffer(string: #"{"model":"claude"}"#)) { response in
                #expect(response.status == .badRequest)
                let error = try errorObject(response.body)
                #expect(error["type"] as? String == "invalid_request_error")
            }
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody("claude-overloaded")) { response in
                #expect(response.status.code == 529)
                let error = try errorObject(response.body)
                #expect(error["type"] as? String == "overloaded_error")
            }
        }
    }

    @Test func anUpstreamStreamFailureIsAnAnthropicErrorEventWithoutMessageStop() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody("claude-stream-error", stream: true)) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\""))
                #expect(!text.contains("message_stop"))
            }
        }
    }

    @Test func servedMessagesAreMeteredOnceWithUpstreamUsage() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(store: store) { client, _ in
            for stream in [false, true] {
                let requestID = try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody("claude", stream: stream)) { response in
                    #expect(response.status == .ok)
                    return try #require(response.headers[HTTPField.Name("x-request-id")!])
                }
                var entries: [LedgerEntry] = []
                for _ in 0..<100 where entries.isEmpty {
                    entries = try await store.ledgerEntries(requestID: requestID)
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(entries.count == 1)
                let entry = try #require(entries.first)
                #expect(entry.model == "claude" && entry.provider == "anthropic" && !entry.estimated && entry.stream == stream)
                #expect(entry.promptTokens == (stream ? 25 : 12))
            }
        }
    }
}
