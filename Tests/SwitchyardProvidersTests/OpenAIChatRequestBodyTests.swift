import Testing
import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

@Suite struct OpenAIChatRequestBodyTests {
    let fixtures = Fixtures.locate()

    @Test(arguments: ["chat_request.json", "chat_tools_request.json", "chat_tool_result_followup_request.json"])
    func acceptsTheSpecFixtures(_ name: String) throws {
        let body = try OpenAIChatRequestBody(bytes: fixtures.data("openai", name))
        #expect(body.model == "gpt-4o-mini")
        #expect(!body.stream)
    }

    @Test func readsStreamAndUsageOptions() throws {
        let body = try OpenAIChatRequestBody(bytes: Array(#"{"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":12,"messages":[{"role":"user","content":"hi"}]}"#.utf8))
        #expect(body.stream)
        #expect(body.clientWantsUsage)
        #expect(body.maxTokens == 12)
    }

    @Test(arguments: [
        ("not json", nil),
        ("[1]", nil),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":5,"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"m"}"#, "messages"),
        (#"{"model":"m","messages":"hi"}"#, "messages"),
        (#"{"model":"m","messages":[]}"#, "messages"),
        (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content"),
        (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
        (#"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#, "messages[0].tool_call_id"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"}"#, "temperature"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":1.5}"#, "n"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":0}"#, "n"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "stream"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":{}}"#, "tools"),
    ] as [(String, String?)])
    func rejectsBadInputWithTheFieldNamed(_ text: String, _ param: String?) {
        do {
            _ = try OpenAIChatRequestBody(bytes: Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.status == 400)
            #expect(error.param == param)
        }
    }

    @Test func acceptsAssistantToolCallsWithNullContentAndUnknownFields() throws {
        let text = #"{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[]}],"future_field":{"x":1},"logprobs":true,"seed":7}"#
        _ = try OpenAIChatRequestBody(bytes: Array(text.utf8))
    }
}
