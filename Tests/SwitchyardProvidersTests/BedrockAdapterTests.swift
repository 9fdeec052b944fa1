import Foundation
import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct BedrockAdapterTests {
    let fixtures = Fixtures.locate()
    let signer = SigV4Signer(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: nil, region: "us-east-1")
    var adapter: BedrockAdapter {
        BedrockAdapter(providerName: "bedrock", baseURL: nil, region: "us-east-1", credentials: .sigV4(signer), now: { 1_735_689_600 })
    }

    // MARK: - SigV4

    @Test func reproducesEverySigV4Vector() throws {
        let vectors = try #require(try fixtures.json("bedrock", "sigv4_vectors.json")["vectors"]?.arrayValue)
        #expect(vectors.count == 3)
        for vector in vectors {
            let inputs = try #require(vector["inputs"])
            let signer = SigV4Signer(
                accessKeyID: inputs["access_key_id"]?.stringValue ?? "", secretAccessKey: inputs["secret_access_key"]?.stringValue ?? "",
                sessionToken: inputs["session_token"]?.stringValue, region: inputs["region"]?.stringValue ?? "")
            let signature = signer.sign(
                method: "POST", url: inputs["url"]?.stringValue ?? "", contentType: "application/json",
                body: Array((inputs["body"]?.stringValue ?? "").utf8), amzDate: inputs["timestamp"]?.stringValue ?? "")
            #expect(signature.canonicalRequest == vector["canonical_request"]?.stringValue)
            #expect(signature.stringToSign == vector["string_to_sign"]?.stringValue)
            #expect(signature.signingKeyHex == vector["signing_key_hex"]?.stringValue)
            #expect(signature.authorization == vector["authorization"]?.stringValue)
        }
    }

    @Test func theAdapterSignsWithTheDoubleEncodedModelID() throws {
        let request = try adapter.chatRequest(
            ChatRequest(model: "m", messages: [.user("Hello!")], maxTokens: 256), upstreamModel: "anthropic.claude-3-5-sonnet-20240620-v1:0")
        #expect(request.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse")
        // The first vector's body and timestamp: the same signature.
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"messages":[{"role":"user","content":[{"text":"Hello!"}]}],"inferenceConfig":{"maxTokens":256}}"#)
        #expect(request.headers.first { $0.name == "Authorization" }?.value.hasSuffix("Signature=5fc27125db4560ce80933261efd295cd77d124da0da5b9da69fcffd0cfb9a60f") == true)
        #expect(request.headers.first { $0.name == "X-Amz-Date" }?.value == "20250101T000000Z")
    }

    @Test func amzDateFormatsUTC() {
        #expect(SigV4Signer.amzDate(unixSeconds: 1_735_689_600) == "20250101T000000Z")
        #expect(SigV4Signer.amzDate(unixSeconds: 951_827_696) == "20000229T123456Z")
    }

    // MARK: - Requests

    @Test func converseRequestsMatchTheFixtures() throws {
        let plain = ChatRequest(
            model: "m", system: ["You are a helpful assistant."], messages: [.user("Hello!")], maxTokens: 256, temperature: 0.7, topP: 0.9, topK: 40,
            stop: ["END"])
        #expect(try JSONValue.parse(try BedrockConverseEncoder.encode(plain)).isEquivalent(to: try fixtures.json("bedrock", "converse_request.json")))

        let tool = ToolDefinition(
            name: "get_weather", description: "Get the current weather in a given location",
            parameters: .record(["type": .string("object"), "properties": .record(["location": .record(["type": .string("string")])]), "required": .array([.string("location")])]))
        var tools = ChatRequest(model: "m", messages: [.user("What is the weather like in Boston?")], tools: [tool], toolChoice: .auto, maxTokens: 512)
        #expect(try JSONValue.parse(try BedrockConverseEncoder.encode(tools)).isEquivalent(to: try fixtures.json("bedrock", "converse_tools_request.json")))

        tools.messages += [
            ChatMessage(role: .assistant, content: [.text("Let me check the weather.")], toolCalls: [
                ToolCall(id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", name: "get_weather", arguments: #"{"location":"Boston, MA"}"#),
            ]),
            ChatMessage(role: .tool, content: [.text(#"{"temperature":22,"unit":"celsius"}"#)], toolCallID: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"),
        ]
        let followup = try fixtures.json("bedrock", "converse_tool_result_followup_request.json")
        #expect(try JSONValue.parse(try BedrockConverseEncoder.encode(tools))["messages"]?.isEquivalent(to: followup["messages"] ?? .null) == true)
    }

    @Test func imageURLsAreRejectedClearly() {
        let request = ChatRequest(model: "m", messages: [ChatMessage(role: .user, content: [.image(.url("https://x/y.png"))])])
        #expect(throws: GatewayError.self) { try BedrockConverseEncoder.encode(request) }
    }

    // MARK: - Responses

    @Test func decodesResponses() throws {
        let text = try adapter.chatResponse(from: try fixtures.data("bedrock", "converse_response.json"))
        #expect(text.text == "Hello! How can I help you today?")
        #expect(text.usage == Usage(promptTokens: 12, completionTokens: 11))
        let tools = try adapter.chatResponse(from: try fixtures.data("bedrock", "converse_tools_response.json"))
        #expect(tools.finishReason == .toolCalls)
        #expect(tools.toolCalls == [ToolCall(id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", name: "get_weather", arguments: #"{"location":"Boston, MA"}"#)])
    }

    // MARK: - Event streams

    @Test(arguments: ["converse_stream_text", "converse_stream_tool_use", "converse_stream_throttled"])
    func decoderReproducesTheRecordedEvents(_ name: String) throws {
        var decoder = EventStreamDecoder()
        let messages = try decoder.feed(try fixtures.data("bedrock", name + ".bin"))
        let expected = try #require(try fixtures.json("bedrock", name + ".events.json").arrayValue)
        let events = messages.filter { $0.headers[":message-type"] == "event" }
        #expect(events.count == expected.filter { $0.fields?.first?.key != "throttlingException" }.count)
        for (message, event) in zip(events, expected) {
            let field = try #require(event.fields?.first)
            #expect(message.headers[":event-type"] == field.key)
            #expect(try JSONValue.parse(message.payload).isEquivalent(to: field.value))
        }
        #expect(!decoder.hasPartialMessage)
    }

    @Test func textStream() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("bedrock", "converse_stream_text.bin"), chunkSize: 11)
        #expect(summary.text == "Hello! How can I help?")
        #expect(summary.finish == .stop)
        #expect(summary.usage == Usage(promptTokens: 12, completionTokens: 8))
        #expect(summary.complete)
    }

    @Test func toolUseStream() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("bedrock", "converse_stream_tool_use.bin"), chunkSize: 3)
        #expect(summary.toolCalls.map(\.id) == ["tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"])
        #expect(summary.toolCalls.first?.arguments == #"{"location": "Boston, MA"}"#)
        #expect(summary.finish == .toolCalls)
        #expect(summary.usage == Usage(promptTokens: 380, completionTokens: 60))
    }

    @Test func inStreamExceptionIsClassified() throws {
        let summary = translate(adapter.streamTranslator(), try fixtures.data("bedrock", "converse_stream_throttled.bin"))
        #expect(summary.text == "Hello")
        #expect(summary.error?.kind == .upstreamRateLimited)
    }

    @Test func badCRCTruncationAndBadJSONEndTheStreamCleanly() throws {
        let text = try fixtures.data("bedrock", "converse_stream_text.bin")
        var corrupted = text
        corrupted[corrupted.count / 2] ^= 0xFF
        #expect(translate(adapter.streamTranslator(), corrupted).error?.kind == .upstreamMalformed)
        #expect(translate(adapter.streamTranslator(), Array(text.prefix(text.count / 2))).error?.kind == .upstreamMalformed)
        var preludeCorrupted = text
        preludeCorrupted[9] ^= 0x01
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamDecoder.FrameError.preludeCRCMismatch) { try decoder.feed(preludeCorrupted) }
        let badJSON = EventStreamTestFrame.make(headers: [":message-type": "event", ":event-type": "contentBlockDelta"], payload: Array("{oops".utf8))
        #expect(translate(adapter.streamTranslator(), badJSON).error?.kind == .upstreamMalformed)
    }

    // MARK: - Errors

    @Test(arguments: [
        ("ValidationException", GatewayError.Kind.upstreamInvalidRequest), ("AccessDeniedException", .upstreamAuthentication),
        ("ResourceNotFoundException", .upstreamNotFound), ("ModelTimeoutException", .upstreamTimeout),
        ("ModelErrorException", .upstreamServerError), ("ThrottlingException", .upstreamRateLimited), ("ModelNotReadyException", .upstreamRateLimited),
        ("InternalServerException", .upstreamServerError), ("ServiceUnavailableException", .upstreamOverloaded),
        ("UnrecognizedClientException", .upstreamAuthentication), ("InvalidSignatureException", .upstreamAuthentication),
    ])
    func classifiesEveryModelledError(_ key: String, _ kind: GatewayError.Kind) throws {
        let error = try fixtures.error("bedrock", key)
        let headers = HeaderList(error.headers.map { (name: $0.0.lowercased(), value: $0.1) })
        #expect(adapter.classifyError(status: error.status, headers: headers, body: error.body).kind == kind)
    }
}

/// Builds event-stream frames for tests (string headers only).
enum EventStreamTestFrame {
    static func make(headers: [String: String], payload: [UInt8]) -> [UInt8] {
        var headerBytes: [UInt8] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            headerBytes.append(UInt8(name.utf8.count))
            headerBytes += Array(name.utf8)
            headerBytes.append(7)
            headerBytes += [UInt8(value.utf8.count >> 8), UInt8(value.utf8.count & 0xFF)]
            headerBytes += Array(value.utf8)
        }
        let total = 16 + headerBytes.count + payload.count
        func be(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        var frame = be(UInt32(total)) + be(UInt32(headerBytes.count))
        frame += be(CRC32.checksum(frame))
        frame += headerBytes + payload
        return frame + be(CRC32.checksum(frame))
    }
}
