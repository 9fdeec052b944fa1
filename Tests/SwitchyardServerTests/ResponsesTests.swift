import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

/// The SSE events of a body: (event name, JSON payload).
func sseEvents(_ buffer: ByteBuffer) throws -> [(name: String, data: [String: Any])] {
    try String(buffer: buffer).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
        let lines = block.split(separator: "\n")
        let name = lines.first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) } ?? ""
        let data = lines.first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) } ?? "{}"
        return (name, try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]))
    }
}

/// `POST /v1/responses` (+ GET/DELETE by id, input_items): translated to chat for chat-only
/// deployments, passed through to native ones, stored per key for `previous_response_id`.
@Suite struct ResponsesTests {
    static func body(_ json: String) -> ByteBuffer { ByteBuffer(string: json) }

    /// A native Responses provider (type `openai`) on the fake upstream.
    static let native: @Sendable (inout GatewayConfiguration) -> Void = { configuration in
        let port = configuration.providers.first { $0.name == "fake" }?.baseURL ?? ""
        configuration.providers.append(ProviderSettings(name: "openai", type: "openai", baseURL: port, apiKey: Secret(GatewayHarness.upstreamKey)))
        configuration.models.append(ModelSettings(name: "gpt-native", targets: [TargetSettings(provider: "openai", model: "gpt-5.4")]))
    }

    @Test func aChatDeploymentAnswersAsAResponse() async throws {
        try await GatewayHarness.run { client, fake in
            let request = #"{"model":"mini","instructions":"Be brief.","input":"Hello","max_output_tokens":64,"metadata":{"k":"v"}}"#
            try await client.execute(uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(request)) { response in
                #expect(response.status == .ok)
                let object = try json(response.body)
                #expect(object["object"] as? String == "response")
                #expect(object["status"] as? String == "completed")
                #expect((object["id"] as? String)?.hasPrefix("resp_") == true)
                #expect((object["metadata"] as? [String: Any])?["k"] as? String == "v")
                let output = try #require(object["output"] as? [[String: Any]])
                #expect(output.first?["type"] as? String == "message")
                let part = try #require((output.first?["content"] as? [[String: Any]])?.first)
                #expect(part["type"] as? String == "output_text")
                #expect((part["text"] as? String)?.isEmpty == false)
                let usage = try #require(object["usage"] as? [String: Any])
                #expect((usage["input_tokens"] as? Int ?? 0) > 0)
                #expect(usage["total_tokens"] as? Int == (usage["input_tokens"] as? Int ?? 0) + (usage["output_tokens"] as? Int ?? 0))
            }
            let sent = try #require(fake.requests.last?.json)
            #expect(fake.requests.last?.path == "/v1/chat/completions")
            let messages = try #require(sent["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["system", "user"])
            #expect(sent["max_tokens"] as? Int == 64 || sent["max_completion_tokens"] as? Int == 64)
        }
    }

    /// The golden event sequence of a translated text stream, numbered from 0.
    @Test func aTranslatedStreamHasTheFullTypedEventSequence() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(
                uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(#"{"model":"mini","input":"Hello","stream":true}"#)
            ) { response in
                #expect(response.status == .ok)
                let events = try sseEvents(response.body)
                var names = events.map(\.name)
                let deltas = names.filter { $0 == "response.output_text.delta" }.count
                #expect(deltas >= 2)
                names.removeAll { $0 == "response.output_text.delta" }
                #expect(names == [
                    "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                    "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
                ])
                #expect(events.map { $0.data["sequence_number"] as? Int } == Array(0..<events.count))
                #expect(events.allSatisfy { $0.data["type"] as? String == $0.name })
                let text = events.filter { $0.name == "response.output_text.delta" }.compactMap { $0.data["delta"] as? String }.joined()
                let done = try #require(events.first { $0.name == "response.output_text.done" })
                #expect(done.data["text"] as? String == text)
                let completed = try #require(events.last?.data["response"] as? [String: Any])
                #expect(completed["status"] as? String == "completed")
                #expect(completed["id"] as? String == (events.first?.data["response"] as? [String: Any])?["id"] as? String)
                #expect((completed["usage"] as? [String: Any])?["output_tokens"] != nil)
            }
        }
    }

    @Test func aStreamedFunctionCallHasArgumentDeltas() async throws {
        try await GatewayHarness.run { client, _ in
            let request = #"{"model":"mini","input":"Weather in Paris?","stream":true,"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}]}"#
            try await client.execute(uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(request)) { response in
                let events = try sseEvents(response.body)
                let names = events.map(\.name)
                #expect(names.contains("response.function_call_arguments.delta"))
                let done = try #require(events.first { $0.name == "response.function_call_arguments.done" })
                let arguments = events.filter { $0.name == "response.function_call_arguments.delta" }.compactMap { $0.data["delta"] as? String }.joined()
                #expect(done.data["arguments"] as? String == arguments)
                let item = try #require(events.last { $0.name == "response.output_item.done" }?.data["item"] as? [String: Any])
                #expect(item["type"] as? String == "function_call")
                #expect(item["name"] as? String == "get_current_weather", "the fixture's call")
                #expect((item["call_id"] as? String)?.isEmpty == false)
                #expect(names.last == "response.completed")
            }
        }
    }

    @Test func aFailedStreamEndsInResponseFailedAndAnErrorEvent() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(
                uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(#"{"model":"broken-stream","input":"Hello","stream":true}"#)
            ) { response in
                let names = try sseEvents(response.body).map(\.name)
                #expect(names.suffix(2) == ["response.failed", "error"])
                #expect(!names.contains("response.completed"))
            }
        }
    }

    /// A function-calling loop continued with `previous_response_id` on a chat-only provider:
    /// the gateway replays the stored turn, the key scopes the store.
    @Test func previousResponseIDContinuesAConversationOnAChatProvider() async throws {
        try await GatewayHarness.run { client, fake in
            let (_, key) = try await createKey(client, #"{"name":"agent"}"#)
            let (_, other) = try await createKey(client, #"{"name":"other"}"#)
            let tools = #""tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}]"#
            let first = try await client.execute(
                uri: "/v1/responses", method: .post, headers: bearer(key), body: Self.body(#"{"model":"mini","input":"Weather in Paris?",\#(tools)}"#)
            ) { response in
                #expect(response.status == .ok)
                return try json(response.body)
            }
            let id = try #require(first["id"] as? String)
            let call = try #require((first["output"] as? [[String: Any]])?.first { $0["type"] as? String == "function_call" })
            let callID = try #require(call["call_id"] as? String)
            let followUp = #"{"model":"mini","previous_response_id":"\#(id)","input":[{"type":"function_call_output","call_id":"\#(callID)","output":"22 C"}],\#(tools)}"#
            try await client.execute(uri: "/v1/responses", method: .post, headers: bearer(key), body: Self.body(followUp)) { response in
                #expect(response.status == .ok)
                let object = try json(response.body)
                #expect(object["previous_response_id"] as? String == id)
            }
            let messages = try #require(fake.requests.last?.json?["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "tool"])
            #expect((messages[1]["tool_calls"] as? [[String: Any]])?.first?["id"] as? String == callID)
            #expect(messages[2]["tool_call_id"] as? String == callID)

            // Another key cannot read, continue or delete it.
            let sent = fake.requests.count
            try await client.execute(uri: "/v1/responses", method: .post, headers: bearer(other), body: Self.body(followUp)) { response in
                #expect(response.status == .notFound)
                let error = try json(response.body)["error"] as? [String: Any]
                #expect(error?["param"] as? String == "previous_response_id")
            }
            #expect(fake.requests.count == sent)
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: bearer(other)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/responses/\(id)", method: .delete, headers: bearer(other)) { #expect($0.status == .notFound) }

            // Its owner reads it back as it was answered, with its input items, and deletes it.
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: bearer(key)) { response in
                #expect(response.status == .ok)
                let read = try json(response.body)
                #expect(try sortedJSON(read) == sortedJSON(first))
            }
            try await client.execute(uri: "/v1/responses/\(id)/input_items?order=asc", method: .get, headers: bearer(key)) { response in
                #expect(response.status == .ok)
                let list = try json(response.body)
                let items = try #require(list["data"] as? [[String: Any]])
                #expect(items.count == 1)
                #expect(items.first?["role"] as? String == "user")
                #expect(items.first?["id"] != nil)
            }
            try await client.execute(uri: "/v1/responses/\(id)", method: .delete, headers: bearer(key)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: bearer(key)) { #expect($0.status == .notFound) }
        }
    }

    @Test func storeFalseKeepsNothing() async throws {
        try await GatewayHarness.run { client, _ in
            let id = try await client.execute(
                uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(#"{"model":"mini","input":"Hi","store":false}"#)
            ) { try json($0.body)["id"] as? String }
            try await client.execute(uri: "/v1/responses/\(id ?? "")", method: .get, headers: .authorized) { #expect($0.status == .notFound) }
        }
    }

    @Test func aNativeProviderGetsTheBodyAsSentAndItsAnswerUnchanged() async throws {
        try await GatewayHarness.run(edit: Self.native) { client, fake in
            let request = #"{"model":"gpt-native","input":[{"role":"user","content":[{"type":"input_text","text":"Hi"}]}],"tools":[{"type":"web_search"}],"include":["reasoning.encrypted_content"],"reasoning":{"effort":"low"}}"#
            let first = try await client.execute(uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(request)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-provider")!] == "openai")
                return try json(response.body)
            }
            var expected = try #require(try JSONSerialization.jsonObject(with: Data(request.utf8)) as? [String: Any])
            expected["model"] = "gpt-5.4"
            #expect(fake.requests.last?.path == "/v1/responses")
            #expect(try sortedJSON(fake.requests.last?.json ?? [:]) == sortedJSON(expected))
            let id = try #require(first["id"] as? String)
            #expect(id.hasPrefix("resp_fake"), "the upstream's id, not one the gateway made up")

            // A follow-up to the same provider names the upstream's stored response.
            try await client.execute(
                uri: "/v1/responses", method: .post, headers: .authorized,
                body: Self.body(#"{"model":"gpt-native","previous_response_id":"\#(id)","input":"And again?"}"#)
            ) { #expect($0.status == .ok) }
            #expect(fake.requests.last?.json?["previous_response_id"] as? String == id)
            #expect((fake.requests.last?.json?["input"] as? String) == "And again?")

            // The same conversation continued on a chat-only model: the history is replayed.
            try await client.execute(
                uri: "/v1/responses", method: .post, headers: .authorized,
                body: Self.body(#"{"model":"mini","previous_response_id":"\#(id)","input":"And on mini?"}"#)
            ) { #expect($0.status == .ok) }
            let messages = try #require(fake.requests.last?.json?["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user"])
            #expect(messages[1]["content"] as? String == "Hi there! How can I assist you today?")
        }
    }

    @Test func aNativeStreamIsRelayedEventForEventAndStored() async throws {
        try await GatewayHarness.run(edit: Self.native) { client, _ in
            let id = try await client.execute(
                uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(#"{"model":"gpt-native","input":"Hi","stream":true}"#)
            ) { response in
                let events = try sseEvents(response.body)
                #expect(events.count == 10)
                #expect(events.map { $0.data["sequence_number"] as? Int } == Array(0..<10))
                return (events.last?.data["response"] as? [String: Any])?["id"] as? String
            }
            try await client.execute(uri: "/v1/responses/\(id ?? "")", method: .get, headers: .authorized) { response in
                #expect(response.status == .ok)
                let stored = try json(response.body)
                #expect(stored["status"] as? String == "completed")
            }
        }
    }

    @Test func whatAChatProviderHasNoEquivalentForIsA400NamingTheField() async throws {
        try await GatewayHarness.run { client, fake in
            let cases = [
                (#"{"model":"mini","input":"Hi","tools":[{"type":"web_search"}]}"#, "tools[0].type"),
                (#"{"model":"mini","input":[{"type":"input_file","file_id":"f"}]}"#, "input[0].type"),
                (#"{"model":"mini","input":"Hi","include":["file_search_call.results"]}"#, "include"),
                (#"{"model":"mini","input":"Hi","max_output_tokens":99999999999}"#, "max_output_tokens"),
                (#"{"model":"mini"}"#, "input"),
            ]
            for (request, param) in cases {
                try await client.execute(uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(request)) { response in
                    #expect(response.status == .badRequest, "\(request)")
                    let error = try json(response.body)["error"] as? [String: Any]
                    #expect(error?["param"] as? String == param, "\(request)")
                }
            }
            #expect(fake.requests.isEmpty)
        }
    }

    /// Past `storage.responses_retention_days` a stored response is gone, even before the hourly purge.
    @Test func aResponsePastItsRetentionIsNotFound() async throws {
        // Four seconds: the first read must come before it even on a loaded CI machine.
        try await GatewayHarness.run(edit: { $0.storage.responsesRetentionDays = 4.0 / 86_400 }) { client, _ in
            let id = try await client.execute(
                uri: "/v1/responses", method: .post, headers: .authorized, body: Self.body(#"{"model":"mini","input":"Hi"}"#)
            ) { try json($0.body)["id"] as? String } ?? ""
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: .authorized) { #expect($0.status == .ok) }
            try await Task.sleep(for: .milliseconds(5_200))
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: .authorized) { #expect($0.status == .notFound) }
        }
    }
}
