import Hummingbird
import NIOCore
import SwitchyardCore

/// Cohere's v2 API: `POST /v2/chat` (JSON, or SSE events when `stream` is true; the tool-call
/// fixtures when the request has `tools`), `/v2/embed` and `/v2/rerank`, replaying
/// `fixtures/cohere` (bearer auth). A model named `fault-<key>` answers with the OpenAI
/// `errors.json` entry `<key>` (Cohere uses the same status classes).
extension FakeUpstream {
    func addCohereRoutes(to router: Router<FakeUpstreamContext>) {
        router.post("/v2/chat") { request, context in try await self.cohere(request, context: context, fixture: "chat") }
        router.post("/v2/embed") { request, context in try await self.cohere(request, context: context, fixture: "embed") }
        router.post("/v2/rerank") { request, context in try await self.cohere(request, context: context, fixture: "rerank") }
    }

    private func cohere(_ request: Request, context: FakeUpstreamContext, fixture: String) async throws -> Response {
        let body = try await record(request, context: context)
        guard authorized(request) else {
            return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message":"invalid api token"}"#)))
        }
        guard let json = try? JSONValue.parse(body), let model = json["model"]?.stringValue else {
            return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message":"model is required"}"#)))
        }
        if model.hasPrefix("fault-") { return try errorResponse(String(model.dropFirst("fault-".count))) }
        let hasTools = !(json["tools"]?.arrayValue ?? []).isEmpty
        switch fixture {
        case "chat":
            if json["messages"]?.arrayValue == nil {
                return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message":"messages is required"}"#)))
            }
            if json["stream"]?.boolValue == true {
                return sse(try fixtures.sseEvents("cohere", hasTools ? "chat_stream_tool_calls.sse" : "chat_stream_text.sse"), delay: nil, closeEarly: false)
            }
            let name = hasTools ? "chat_tools_response.json" : "chat_response.json"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try fixtures.data("cohere", name))))
        default:
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try fixtures.data("cohere", "\(fixture)_response.json"))))
        }
    }
}
