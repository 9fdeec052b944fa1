import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct OpenAICompatibleAdapterTests {
    let fixtures = Fixtures.locate()

    func adapter(_ type: String, key: String? = "sk-upstream") throws -> OpenAICompatibleAdapter {
        let preset = try #require(OpenAICompatiblePreset.all[type])
        return OpenAICompatibleAdapter(providerName: type, preset: preset, baseURL: "http://127.0.0.1:9/v1/", apiKey: key.map(Secret.init))
    }

    func json(_ bytes: [UInt8]) throws -> (JSONScanner, JSONSpan) {
        let scanner = JSONScanner(bytes)
        return (scanner, try scanner.root())
    }

    @Test func forwardsTheBodyWithOnlyTheModelChanged() throws {
        let original = try fixtures.data("openai", "chat_tools_request.json")
        let body = try OpenAIChatRequestBody(bytes: original)
        let request = try adapter("openai").chatCompletionsRequest(body, upstreamModel: "gpt-4o-mini")
        #expect(request.body == original, "same model: bytes forwarded untouched")
        #expect(request.url == "http://127.0.0.1:9/v1/chat/completions")
        #expect(HeaderList(request.headers)["authorization"] == "Bearer sk-upstream")

        let renamed = try adapter("openai").chatCompletionsRequest(body, upstreamModel: "gpt-4.1")
        let (scanner, root) = try json(renamed.body)
        #expect(scanner.string(try #require(scanner.member("model", of: root)).value) == "gpt-4.1")
        #expect(renamed.body.count == original.count - "gpt-4o-mini".count + "gpt-4.1".count, "only the model value changed")
    }

    @Test func injectsIncludeUsageOnStreamsKeepingOtherOptions() throws {
        let body = try OpenAIChatRequestBody(bytes: Array(#"{"model":"m","stream":true,"stream_options":{"include_obfuscation":false},"messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let request = try adapter("openai").chatCompletionsRequest(body, upstreamModel: "m")
        let (scanner, root) = try json(request.body)
        let options = try #require(scanner.member("stream_options", of: root)).value
        #expect(scanner.bool(try #require(scanner.member("include_usage", of: options)).value) == true)
        #expect(scanner.bool(try #require(scanner.member("include_obfuscation", of: options)).value) == false)
    }

    @Test func keylessLocalServersGetNoAuthorizationHeader() throws {
        let body = try OpenAIChatRequestBody(bytes: try fixtures.data("openai", "chat_request.json"))
        let request = try adapter("ollama", key: nil).chatCompletionsRequest(body, upstreamModel: "llama3")
        #expect(HeaderList(request.headers)["authorization"] == nil)
    }

    @Test func mistralGetsNineCharacterToolCallIDsThatStayPaired() throws {
        let body = try OpenAIChatRequestBody(bytes: try fixtures.data("openai", "chat_tool_result_followup_request.json"))
        let request = try adapter("mistral").chatCompletionsRequest(body, upstreamModel: "mistral-large-latest")
        let (scanner, root) = try json(request.body)
        let messages = scanner.elements(of: try #require(scanner.member("messages", of: root)).value)
        let call = scanner.elements(of: try #require(scanner.member("tool_calls", of: messages[1])).value)[0]
        let idMember = try #require(scanner.member("id", of: call))
        let resultMember = try #require(scanner.member("tool_call_id", of: messages[2]))
        let callID = try #require(scanner.string(idMember.value))
        let resultID = try #require(scanner.string(resultMember.value))
        #expect(callID == resultID)
        #expect(callID.count == 9)
        #expect(callID.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(ToolCallIDRewriter.nineCharacterID(for: "abcDEF123") == "abcDEF123")
    }

    @Test func otherProvidersKeepToolCallIDs() throws {
        let original = try fixtures.data("openai", "chat_tool_result_followup_request.json")
        let request = try adapter("groq").chatCompletionsRequest(try OpenAIChatRequestBody(bytes: original), upstreamModel: "gpt-4o-mini")
        #expect(request.body == original)
    }

    @Test func everyPresetHasAUsableDefinition() {
        let expected = ["openai", "openai-compatible", "groq", "mistral", "deepseek", "together", "fireworks", "xai", "openrouter",
            "perplexity", "cerebras", "ollama", "vllm", "llamacpp", "lmstudio", "azure", "azure-foundry", "deepinfra", "nebius", "sambanova",
            "hyperbolic", "novita", "moonshot", "zhipu", "dashscope", "huggingface", "nvidia", "github", "cloudflare", "jina", "voyage",
            "lambda", "siliconflow"]
        #expect(Set(OpenAICompatiblePreset.all.keys) == Set(expected))
        let missing = ProviderRegistry.problems(with: ProviderSettings(name: "g", type: "groq"))
        #expect(missing.map(\.field) == ["api_key"])
        #expect(ProviderRegistry.problems(with: ProviderSettings(name: "o", type: "ollama")).isEmpty)
        #expect(ProviderRegistry.problems(with: ProviderSettings(name: "c", type: "openai-compatible")).map(\.field) == ["base_url"])
        #expect(ProviderRegistry.problems(with: ProviderSettings(name: "a", type: "azure", apiKey: Secret("k"))).map(\.field) == ["base_url"])
    }

    @Test func quirksRenameMaxCompletionTokensAndClampTemperature() throws {
        let body = try OpenAIChatRequestBody(bytes: Array(
            #"{"model":"m","temperature":1.7,"max_completion_tokens":300,"messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let (scanner, root) = try json(try adapter("moonshot").chatCompletionsRequest(body, upstreamModel: "kimi-k2-0711-preview").body)
        #expect(scanner.member("max_completion_tokens", of: root) == nil)
        #expect(scanner.int(try #require(scanner.member("max_tokens", of: root)).value) == 300)
        #expect(scanner.double(try #require(scanner.member("temperature", of: root)).value) == 1.0)
        #expect(scanner.members(of: root).count == 4, "the other members are kept: \(String(decoding: scanner.bytes, as: UTF8.self))")
        // Providers without the quirk get the body as it came.
        let (plain, plainRoot) = try json(try adapter("openai").chatCompletionsRequest(body, upstreamModel: "m").body)
        #expect(plain.double(try #require(plain.member("temperature", of: plainRoot)).value) == 1.7)
        #expect(plain.member("max_completion_tokens", of: plainRoot) != nil)
        // The canonical path (Anthropic-format clients) gets the same edits.
        var request = ChatRequest(model: "m", messages: [ChatMessage(role: .user, content: [.text("hi")])])
        request.temperature = 2
        let (canonical, canonicalRoot) = try json(try adapter("zhipu").chatRequest(request, upstreamModel: "glm-4.5").body)
        #expect(canonical.double(try #require(canonical.member("temperature", of: canonicalRoot)).value) == 1.0)
    }

    @Test func azureFoundryPutsTheVersionInTheQueryAndTheModelInTheBody() throws {
        let preset = try #require(OpenAICompatiblePreset.all["azure-foundry"])
        let adapter = OpenAICompatibleAdapter(
            providerName: "foundry", preset: preset, baseURL: "https://x.services.ai.azure.com/models", apiKey: Secret("k"))
        let body = try OpenAIChatRequestBody(bytes: try fixtures.data("openai", "chat_request.json"))
        let request = adapter.chatCompletionsRequest(body, upstreamModel: "DeepSeek-R1")
        #expect(request.url == "https://x.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview")
        #expect(HeaderList(request.headers)["api-key"] == "k")
        let problems = ProviderRegistry.problems(with: ProviderSettings(name: "f", type: "azure-foundry", apiKey: Secret("k")))
        #expect(problems.map(\.message) == ["required for type azure-foundry (https://NAME.services.ai.azure.com/models)"])
    }

    @Test func nativeProvidersSayWhatTheyNeed() {
        #expect(ProviderRegistry.problems(with: ProviderSettings(name: "a", type: "anthropic")).map(\.field) == ["api_key"])
        #expect(ProviderRegistry.problems(with: ProviderSettings(name: "g", type: "gemini")).map(\.field) == ["api_key"])
        #expect(ProviderRegistry.problems(with: ProviderSettings(name: "b", type: "bedrock")).map(\.field) == ["region", "access_key_id"])
        var bedrock = ProviderSettings(name: "b", type: "bedrock")
        bedrock.region = "us-east-1"
        bedrock.accessKeyID = "AKID"
        bedrock.secretAccessKey = Secret("s")
        #expect(ProviderRegistry.problems(with: bedrock).isEmpty)
        #expect(ProviderRegistry.adapter(for: bedrock) is BedrockAdapter)
        #expect(ProviderRegistry.knownTypes.contains("anthropic") && ProviderRegistry.knownTypes.contains("bedrock"))
    }
}
