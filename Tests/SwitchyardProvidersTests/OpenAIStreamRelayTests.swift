import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct OpenAIStreamRelayTests {
    let fixtures = Fixtures.locate()

    func run(_ name: String, wantsUsage: Bool) throws -> (relay: OpenAIStreamRelay, actions: [OpenAIStreamRelay.Action]) {
        var parser = SSEParser()
        var relay = OpenAIStreamRelay(providerName: "p", clientWantsUsage: wantsUsage, usageLocation: .topLevel)
        var actions: [OpenAIStreamRelay.Action] = []
        for event in try parser.feed(try fixtures.data("openai", name)) { actions.append(relay.event(event)) }
        return (relay, actions)
    }

    @Test func keepsUsageForMeteringAndDropsItWhenTheClientDidNotAsk() throws {
        let hidden = try run("chat_stream_text.sse", wantsUsage: false)
        #expect(hidden.relay.reportedUsage == Usage(promptTokens: 19, completionTokens: 6))
        #expect(hidden.actions.filter { $0 == .skip }.count == 1)
        #expect(hidden.actions.last == .finish(SSEEncoder.done))
        #expect(hidden.relay.finishReason == "stop")

        let shown = try run("chat_stream_text.sse", wantsUsage: true)
        #expect(!shown.actions.contains(.skip))
        #expect(shown.relay.isComplete)
    }

    @Test func estimatesUsageWhenTheUpstreamSendsNone() throws {
        let tools = try run("chat_stream_tool_calls.sse", wantsUsage: false)
        #expect(tools.relay.reportedUsage == nil)
        #expect(tools.relay.finishReason == "tool_calls")
        let usage = tools.relay.usage(promptBytes: 400)
        #expect(usage.isEstimated)
        #expect(usage.promptTokens == 100)
        #expect(usage.completionTokens > 0)
    }

    @Test func anInStreamErrorFailsWithoutDone() throws {
        let result = try run("chat_stream_error.sse", wantsUsage: false)
        guard case .fail(let bytes) = try #require(result.actions.last) else {
            Issue.record("expected a failure, got \(result.actions)")
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("data: {\"error\""))
        #expect(!text.contains("[DONE]"))
    }

    @Test func groqUsageIsReadFromXGroq() throws {
        var relay = OpenAIStreamRelay(providerName: "groq", clientWantsUsage: false, usageLocation: .groq)
        let chunk = #"{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}}"#
        #expect(relay.event(SSEEvent(data: Array(chunk.utf8))) != .skip)
        #expect(relay.reportedUsage == Usage(promptTokens: 3, completionTokens: 4))
    }
}
