import Hummingbird
import HTTPTypes
import NIOCore
import SwitchyardCore

/// Anthropic's `POST /v1/messages`, replaying `fixtures/anthropic` (`x-api-key` auth). Faults by
/// model name: `fault-<status>` (an `errors.json` entry, e.g. `fault-529`), `fault-stream-error`
/// (`messages_stream_error.sse`), `fault-truncate` (three events, then the connection closes),
/// `fault-malformed-stream` (`message_start`, then an event that is not JSON). Model
/// `claude-cached` answers with prompt-cache usage (`cachedUsage`). `POST /v1/messages/count_tokens`
/// answers `{"input_tokens": 42}`.
extension FakeUpstream {
    func addAnthropicRoutes(to router: Router<FakeUpstreamContext>) {
        router.post("/v1/messages") { request, context in try await self.anthropicMessages(request, context: context) }
        router.post("/v1/messages/count_tokens") { request, context in
            _ = try await self.record(request, context: context)
            guard self.authorized(request, header: "x-api-key") else { return try self.errorResponse("401", provider: "anthropic") }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"input_tokens":42}"#)))
        }
    }

    /// The usage `claude-cached` reports: 10 uncached input tokens, 1,000 written to the cache,
    /// 2,000 read from it, 5 output tokens.
    public static let cachedUsage = #"{"input_tokens":10,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":5}"#

    private func anthropicMessages(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        guard authorized(request, header: "x-api-key") else { return try errorResponse("401", provider: "anthropic") }
        let json = try JSONValue.parse(body)
        return try anthropicAnswer(json, model: json["model"]?.stringValue ?? "")
    }

    /// The answer to a Messages body (`model` from the body, or from Vertex's URL).
    func anthropicAnswer(_ json: JSONValue, model: String) throws -> Response {
        let stream = json["stream"]?.boolValue ?? false
        let hasTools = !(json["tools"]?.arrayValue ?? []).isEmpty
        if model.hasPrefix("fault-") {
            let fault = String(model.dropFirst("fault-".count))
            let text = try fixtures.sseEvents("anthropic", "messages_stream_text.sse")
            switch fault {
            case "stream-error": return sse(try fixtures.sseEvents("anthropic", "messages_stream_error.sse"), delay: nil, closeEarly: false)
            case "truncate": return sse(Array(text.prefix(3)), delay: nil, closeEarly: true)
            case "malformed-stream": return sse(Array(text.prefix(1)) + [Array("event: content_block_delta\ndata: {oops\n\n".utf8)], delay: nil, closeEarly: false)
            default: return try errorResponse(fault, provider: "anthropic")
            }
        }
        if stream {
            let name = hasTools ? "messages_stream_tool_use.sse" : json["thinking"] != nil ? "messages_stream_thinking.sse" : "messages_stream_text.sse"
            return sse(try fixtures.sseEvents("anthropic", name), delay: nil, closeEarly: false)
        }
        var fixture = try fixtures.data("anthropic", hasTools ? "messages_tools_response.json" : "messages_response.json")
        if model == "claude-cached", let parsed = try? JSONValue.parse(fixture), case .object(var fields) = parsed,
            let index = fields.firstIndex(where: { $0.key == "usage" })
        {
            fields[index].value = try JSONValue.parse(Array(FakeUpstream.cachedUsage.utf8))
            fixture = JSONValue.object(fields).serialized
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json", FakeUpstream.requestIDHeader: "req_fake_anthropic"],
            body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    static let requestIDHeader = HTTPField.Name("request-id")!
}
