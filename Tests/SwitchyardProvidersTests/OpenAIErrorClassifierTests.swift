import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct OpenAIErrorClassifierTests {
    let fixtures = Fixtures.locate()

    func classify(_ key: String) throws -> GatewayError {
        let fixture = try fixtures.error("openai", key)
        return OpenAIErrorClassifier.classify(
            provider: "openai", status: fixture.status, headers: HeaderList(fixture.headers.map { (name: $0.0, value: $0.1) }), body: fixture.body)
    }

    @Test func classifiesEveryFixture() throws {
        #expect(try classify("400_context_length").kind == .contextLengthExceeded)
        #expect(try classify("404_model").kind == .upstreamNotFound)
        #expect(try classify("429_insufficient_quota").kind == .upstreamQuotaExhausted)
        #expect(try classify("500_server_error").kind == .upstreamServerError)
        #expect(try classify("503_overloaded").kind == .upstreamOverloaded)
        let limited = try classify("429_rate_limit")
        #expect(limited.kind == .upstreamRateLimited)
        #expect(limited.retryAfterSeconds == 2)
        #expect(limited.isRetryable)
    }

    @Test func upstreamAuthFailuresNeverLeakTheKeyFragment() throws {
        let error = try classify("401_invalid_key")
        #expect(error.kind == .upstreamAuthentication)
        #expect(!error.message.contains("sk-abc"))
        #expect(!String(decoding: error.openAIBody, as: UTF8.self).contains("sk-"))
    }

    @Test func readsVLLMAndLlamaCppBodies() {
        let vllm = OpenAIErrorClassifier.classify(provider: "vllm", status: 400, headers: HeaderList(),
            body: Array(#"{"object":"error","message":"bad temperature","type":"BadRequestError","param":null,"code":400}"#.utf8))
        #expect(vllm.kind == .upstreamInvalidRequest)
        #expect(vllm.message == "bad temperature")
        let llama = OpenAIErrorClassifier.classify(provider: "llamacpp", status: 400, headers: HeaderList(),
            body: Array(#"{"error":{"code":400,"message":"request exceeds the available context size","type":"exceed_context_size_error"}}"#.utf8))
        #expect(llama.kind == .contextLengthExceeded)
    }

    @Test func prefersMillisecondRetryHints() {
        let headers = HeaderList([(name: "Retry-After", value: "5"), (name: "retry-after-ms", value: "1500")])
        #expect(RetryAfter.seconds(from: headers) == 1.5)
    }

    @Test func scrubsKeysFromMessages() {
        let scrubbed = SecretScrubber.scrub("Incorrect API key provided: sk-proj-abc123. Header was Bearer abcdef")
        #expect(!scrubbed.contains("sk-proj"))
        #expect(!scrubbed.contains("abcdef"))
    }
}

@Suite struct SecretScrubberPunctuationTests {
    /// Regression (#12): an upstream 400 repeating our key as `(key:sk-…)` reached the client.
    @Test(arguments: ["(key:sk-upstream-secret)", "\"sk-upstream-secret\"", "api_key=sk-upstream-secret,", "[sk-upstream-secret]."])
    func keysInsidePunctuationAreRedacted(_ word: String) {
        let scrubbed = SecretScrubber.scrub("Invalid model for this account \(word) try again")
        #expect(!scrubbed.contains("upstream-secret"), "\(scrubbed)")
        #expect(scrubbed.hasPrefix("Invalid model for this account"))
    }

    @Test func ordinaryPunctuatedProseIsKept() {
        let text = "Invalid 'model': (gpt-4o) is not available, see docs.example.com/models."
        #expect(SecretScrubber.scrub(text) == text)
    }
}
