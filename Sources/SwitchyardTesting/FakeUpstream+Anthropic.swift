import Hummingbird
import HTTPTypes
import NIOCore
import SwitchyardCore

/// Anthropic's `POST /v1/messages`, replaying `fixtures/anthropic` (`x-api-key` auth). Faults by
/// model name: `fault-<status>` (an `errors.json` entry, e.g. `fault-529`), `fault-stream-error`
/// (`messages_stream_error.sse`), `fault-truncate` (three events, then the connection closes),
/// `fault-malformed-stream` (`message_start`, then an event that is not JSON).
extension FakeUpstream {
    func addAnthropicRoutes(to router: Router<FakeUpstreamContext>) {
        router.post("/v1/messages") { request, context in try await self.anthropicMessages(request, context: context) }
    }

    private func anthropicMessages(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        guard authorized(request, header: "x-api-key") else { return try errorResponse("401", provider: "anthropic") }
        let json = try JSONValue.parse(body)
        let model = json["model"]?.stringValue ?? ""
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
        let fixture = try fixtures.data("anthropic", hasTools ? "messages_tools_response.json" : "messages_response.json")
        return Response(
            status: .ok, headers: [.contentType: "application/json", FakeUpstream.requestIDHeader: "req_fake_anthropic"],
            body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    static let requestIDHeader = HTTPField.Name("request-id")!
}
