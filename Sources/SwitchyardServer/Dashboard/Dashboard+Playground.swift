import Foundation
import SwitchyardRouting
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardProviders

extension Dashboard {
    /// `/ui/playground`: pick an alias or router, send a chat, watch it stream.
    func playgroundPage(_ viewer: Viewer) -> Page {
        let names = gateway.router.aliases + gateway.routers.current.names
        let models = names.filter { viewer.principal.allows(model: $0) }
        return Page(template: "playground", title: "Playground", section: .playground, data: [
            "models": models.enumerated().map { ["value": $0.element, "selected": $0.offset == 0] }, "empty": models.isEmpty,
        ])
    }

    /// `POST /ui/playground/chat` (from the page's script, CSRF token in `x-csrf-token`): the chat
    /// goes through the one pipeline as the signed-in viewer — their key's limits, credits and
    /// ledger — and streams back as OpenAI chunks.
    func playgroundChat(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        guard Self.isSameOrigin(request) else { throw GatewayError.permissionDenied("Cross-site requests are refused.") }
        guard let viewer = try await viewer(request) else { throw GatewayError.authentication("Sign in again.") }
        guard let token = request.headers[HTTPField.Name("x-csrf-token")!], ConstantTime.equal(token, viewer.session.csrfToken) else {
            throw GatewayError.permissionDenied("The page has expired; reload it.")
        }
        struct Chat: Decodable {
            struct Message: Decodable {
                var role: String
                var content: String
            }
            var model: String
            var messages: [Message]
        }
        let body = try await RequestBodyReader.read(request, limit: gateway.configuration.server.maxBodyBytes)
        guard let chat = try? JSONDecoder().decode(Chat.self, from: Data(body)), !chat.messages.isEmpty else {
            throw GatewayError.invalidRequest("Send {\"model\": …, \"messages\": [{\"role\": …, \"content\": …}]}.")
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("model"); writer.string(chat.model)
        writer.key("stream"); writer.bool(true)
        writer.key("stream_options"); writer.beginObject(); writer.key("include_usage"); writer.bool(true); writer.endObject()
        writer.key("messages"); writer.beginArray()
        for message in chat.messages {
            guard ["system", "user", "assistant"].contains(message.role) else {
                throw GatewayError.invalidRequest("A message's role must be system, user or assistant.", param: "messages")
            }
            writer.beginObject()
            writer.key("role"); writer.string(message.role)
            writer.key("content"); writer.string(message.content)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        let head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/chat/completions", headerFields: [.contentType: "application/json"])
        var context = context
        context.principal = viewer.principal
        return try await pipeline.serve(OpenAIChatCodec(), Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: writer.bytes))), context: context)
    }

    /// `GET /ui/playground/requests/{id}`: a served request's tokens and cost once metered.
    func playgroundRequest(id: String, viewer: Viewer) async throws -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        if let entry = try await store.ledgerEntries(requestID: id).first, viewer.isOperator || entry.keyID == viewer.key?.id {
            writer.key("found"); writer.bool(true)
            writer.key("model"); writer.string(entry.model)
            writer.key("provider"); writer.string(entry.provider)
            writer.key("prompt_tokens"); writer.int(entry.promptTokens)
            writer.key("completion_tokens"); writer.int(entry.completionTokens)
            writer.key("cost"); writer.string(DashboardFormat.money(entry.cost))
        } else {
            writer.key("found"); writer.bool(false)
        }
        writer.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}
