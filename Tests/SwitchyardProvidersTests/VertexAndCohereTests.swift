import CryptoExtras
import Foundation
import Synchronization
import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct ServiceAccountTests {
    let fixtures = Fixtures.locate()

    func account() throws -> ServiceAccount { try ServiceAccount(json: try fixtures.data("vertex", "service-account.json")) }

    @Test func theAssertionIsAnRS256JWTGoogleAccepts() throws {
        let account = try account()
        let jwt = try account.assertion(now: 1_800_000_000)
        let pieces = jwt.split(separator: ".").map(String.init)
        #expect(pieces.count == 3)
        let header = try JSONValue.parse(try #require(Base64URL.decode(pieces[0])))
        let claims = try JSONValue.parse(try #require(Base64URL.decode(pieces[1])))
        #expect(header["alg"]?.stringValue == "RS256" && header["kid"]?.stringValue == account.privateKeyID)
        #expect(claims["iss"]?.stringValue == "gateway@switchyard-test.iam.gserviceaccount.com")
        #expect(claims["aud"]?.stringValue == account.tokenURI)
        #expect(claims["scope"]?.stringValue == ServiceAccount.cloudPlatformScope)
        #expect(claims["iat"]?.intValue == 1_800_000_000 && claims["exp"]?.intValue == 1_800_003_600)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(Base64URL.decode(pieces[2])))
        #expect(account.key.publicKey.isValidSignature(signature, for: Array((pieces[0] + "." + pieces[1]).utf8), padding: .insecurePKCS1v1_5))
        let request = account.tokenRequest(assertion: jwt)
        #expect(String(decoding: request.body, as: UTF8.self).hasPrefix("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey"))
    }

    @Test func badKeyFilesSayWhatIsWrongWithoutQuotingTheKey() {
        #expect(throws: ServiceAccount.Invalid.self) { try ServiceAccount(json: Array(#"{"type":"authorized_user"}"#.utf8)) }
        do {
            _ = try ServiceAccount(json: Array(#"{"type":"service_account","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nsecretstuff\n"}"#.utf8))
            Issue.record("a key that is not RSA PEM was accepted")
        } catch {
            #expect(error.description == "private_key is not an RSA private key in PEM")
        }
    }

    @Test func tokenAnswersAreReadAndFailuresAreUpstreamAuthenticationErrors() throws {
        let token = try ServiceAccount.accessToken(
            status: 200, body: Array(#"{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}"#.utf8), now: 100, provider: "v")
        #expect(token == ServiceAccount.AccessToken(value: "ya29.x", expiresAt: 3699))
        #expect(throws: GatewayError.self) {
            try ServiceAccount.accessToken(status: 400, body: Array(#"{"error":"invalid_grant"}"#.utf8), now: 0, provider: "v")
        }
        let absurd = try ServiceAccount.accessToken(status: 200, body: Array(#"{"access_token":"t","expires_in":99999999999}"#.utf8), now: 0, provider: "v")
        #expect(absurd.expiresAt == 86_400, "lifetimes are clamped to a day")
    }
}

@Suite struct ServiceAccountTokenSourceTests {
    final class Clock: Sendable {
        let now = Mutex<Int64>(1_800_000_000)
        func advance(_ seconds: Int64) { now.withLock { $0 += seconds } }
    }

    func source(_ clock: Clock) throws -> ServiceAccountTokenSource {
        let account = try ServiceAccount(json: try Fixtures.locate().data("vertex", "service-account.json"))
        return ServiceAccountTokenSource(account: account, provider: "vertex") { clock.now.withLock { $0 } }
    }

    @Test func oneFetchServesConcurrentRequestsUntilShortlyBeforeExpiry() async throws {
        let clock = Clock()
        let tokens = try source(clock)
        let served = Mutex(0)
        let send: @Sendable (UpstreamRequest) async throws -> (status: Int, body: [UInt8]) = { _ in
            try await Task.sleep(for: .milliseconds(50))
            let n = served.withLock { $0 += 1; return $0 }
            return (200, Array(#"{"access_token":"ya29.token-\#(n)","expires_in":3600}"#.utf8))
        }
        let headers = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    var request = UpstreamRequest(url: "https://x", headers: [], body: [])
                    try await tokens.authorize(&request, send: send)
                    return HeaderList(request.headers)["authorization"]
                }
            }
            return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(headers == ["Bearer ya29.token-1"], "twenty requests during one fetch share it")
        #expect(await tokens.fetches == 1)
        clock.advance(3600 - 301)
        var request = UpstreamRequest(url: "https://x", headers: [], body: [])
        try await tokens.authorize(&request, send: send)
        #expect(HeaderList(request.headers)["authorization"] == "Bearer ya29.token-1", "still fresh 301 s before expiry")
        clock.advance(2)
        request = UpstreamRequest(url: "https://x", headers: [], body: [])
        try await tokens.authorize(&request, send: send)
        #expect(HeaderList(request.headers)["authorization"] == "Bearer ya29.token-2", "refreshed inside the 5-minute margin")
    }

    @Test func aFailedFetchIsAnErrorAndTheNextRequestTriesAgain() async throws {
        let tokens = try source(Clock())
        let fail = Mutex(true)
        let send: @Sendable (UpstreamRequest) async throws -> (status: Int, body: [UInt8]) = { _ in
            if fail.withLock({ $0 }) { return (400, Array(#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#.utf8)) }
            return (200, Array(#"{"access_token":"ya29.ok","expires_in":3600}"#.utf8))
        }
        var request = UpstreamRequest(url: "https://x", headers: [], body: [])
        do {
            try await tokens.authorize(&request, send: send)
            Issue.record("a refused grant authorized the request")
        } catch {
            #expect(error.kind == .upstreamAuthentication && error.allowsFailover)
            #expect(error.message.contains("invalid_grant"))
        }
        fail.withLock { $0 = false }
        try await tokens.authorize(&request, send: send)
        #expect(HeaderList(request.headers)["authorization"] == "Bearer ya29.ok")
    }
}

@Suite struct VertexAdapterTests {
    func adapter() throws -> VertexAdapter {
        let account = try ServiceAccount(json: try Fixtures.locate().data("vertex", "service-account.json"))
        return VertexAdapter(
            providerName: "vertex", baseURL: nil, project: "my-project", region: "us-east5",
            tokens: ServiceAccountTokenSource(account: account, provider: "vertex") { 0 })
    }

    @Test func geminiAndClaudeGoToTheirPublishersPaths() throws {
        let adapter = try adapter()
        var request = ChatRequest(model: "m", messages: [ChatMessage(role: .user, content: [.text("hi")])])
        let gemini = try adapter.chatRequest(request, upstreamModel: "gemini-2.5-flash")
        #expect(gemini.url == "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent")
        #expect(gemini.authorizer != nil, "the token is added by the gateway")
        request.stream = true
        let claude = try adapter.chatRequest(request, upstreamModel: "claude-sonnet-4@20250514")
        #expect(claude.url.hasSuffix("/publishers/anthropic/models/claude-sonnet-4%4020250514:streamRawPredict"))
        let body = try JSONValue.parse(claude.body)
        #expect(body["anthropic_version"]?.stringValue == "vertex-2023-10-16")
        #expect(body["model"] == nil && body["stream"]?.boolValue == true)
        let global = VertexAdapter(providerName: "v", baseURL: nil, project: "p", region: "global", tokens: adapter.tokens)
        #expect(try global.chatRequest(request, upstreamModel: "gemini-2.5-pro").url.hasPrefix("https://aiplatform.googleapis.com/v1/projects/p/locations/global/"))
    }

    @Test func streamsAreReadInTheFormatTheyArriveIn() throws {
        let fixtures = Fixtures.locate()
        let claude = translate(VertexStreamTranslator(providerName: "v"), try fixtures.data("anthropic", "messages_stream_text.sse"), chunkSize: 3)
        #expect(!claude.text.isEmpty && claude.complete && claude.error == nil)
        let gemini = translate(VertexStreamTranslator(providerName: "v"), try fixtures.data("gemini", "streamGenerateContent_alt_sse.sse"), chunkSize: 3)
        #expect(!gemini.text.isEmpty && gemini.complete && gemini.error == nil)
    }
}

@Suite struct CohereCodecTests {
    let fixtures = Fixtures.locate()

    @Test func chatRequestsUseCoheresFieldNames() throws {
        var request = ChatRequest(
            model: "m", system: ["Be brief."],
            messages: [
                ChatMessage(role: .user, content: [.text("Weather in Toronto?")]),
                ChatMessage(role: .assistant, content: [], toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"location":"Toronto"}"#)]),
                ChatMessage(role: .tool, content: [.text("-5 C")], toolCallID: "call_1"),
            ],
            tools: [ToolDefinition(name: "get_weather", parameters: .record(["type": .string("object")]))], toolChoice: .required, maxTokens: 100,
            temperature: 0.3, topP: 0.9, stop: ["END"])
        request.stream = true
        let body = try JSONValue.parse(try CohereCodec.chatBody(request, model: "command-a-03-2025"))
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])
        #expect(messages[2]["content"] == nil, "no null content on a tool-calling turn")
        #expect(messages[2]["tool_calls"]?.arrayValue?.first?["function"]?["name"]?.stringValue == "get_weather")
        #expect(messages[3]["tool_call_id"]?.stringValue == "call_1")
        #expect(body["tool_choice"]?.stringValue == "REQUIRED" && body["p"]?.doubleValue == 0.9)
        #expect(body["stop_sequences"]?.arrayValue == [.string("END")] && body["stream"]?.boolValue == true)
        #expect(body["top_p"] == nil && body["stream_options"] == nil)
        request.toolChoice = .function("get_weather")
        #expect(throws: GatewayError.self) { try CohereCodec.chatBody(request, model: "m") }
    }

    @Test func answersAndStreamsDecodeFromTheFixtures() throws {
        let text = try CohereCodec.chatResponse(try fixtures.data("cohere", "chat_response.json"), provider: "co")
        #expect(text.text == "Hello! How can I help you today?" && text.finishReason == .stop)
        #expect(text.usage == Usage(promptTokens: 71, completionTokens: 9))
        let tools = try CohereCodec.chatResponse(try fixtures.data("cohere", "chat_tools_response.json"), provider: "co")
        #expect(tools.finishReason == .toolCalls && tools.toolCalls.first?.arguments == #"{"location":"Toronto"}"#)
        for chunk in [1, 5, 64] {
            let stream = translate(CohereStreamTranslator(providerName: "co"), try fixtures.data("cohere", "chat_stream_text.sse"), chunkSize: chunk)
            #expect(stream.text == "Hello! How can I help you today?" && stream.finish == .stop && stream.complete)
            #expect(stream.usage == Usage(promptTokens: 71, completionTokens: 9))
            let calls = translate(CohereStreamTranslator(providerName: "co"), try fixtures.data("cohere", "chat_stream_tool_calls.sse"), chunkSize: chunk)
            #expect(calls.toolCalls.map(\.arguments) == [#"{"location":"Toronto"}"#] && calls.toolCalls.first?.name == "get_weather")
            #expect(calls.reasoning == "I will look up the weather." && calls.finish == .toolCalls)
        }
        let truncated = Array(try fixtures.data("cohere", "chat_stream_text.sse").dropLast(200))
        #expect(translate(CohereStreamTranslator(providerName: "co"), truncated).error != nil, "a stream without message-end is an error")
    }

    @Test func embeddingsBecomeOpenAIs() throws {
        let (body, usage) = try CohereCodec.embeddingsResponse(try fixtures.data("cohere", "embed_response.json"), model: "embed-v4.0", provider: "co")
        let json = try JSONValue.parse(body)
        #expect(json["data"]?.arrayValue?.count == 2 && json["data"]?.arrayValue?.last?["index"]?.intValue == 1)
        #expect(usage == Usage(promptTokens: 2, completionTokens: 0))
    }
}
