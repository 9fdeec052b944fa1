import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardAccounts
import SwitchyardRouting

/// `GET /v1/models` and `GET /v1/models/{model}`: the aliases of the config, in OpenAI's list shape.
/// The bodies are rendered once at start-up.
struct ModelsRoute: Sendable {
    let listBody: ByteBuffer
    let modelBodies: [String: ByteBuffer]
    let aliases: [String]
    let created: Int

    init(aliases: [String], created: Int) {
        self.aliases = aliases
        self.created = created
        self.listBody = ModelsRoute.render(aliases, created: created)
        var bodies: [String: ByteBuffer] = [:]
        for alias in aliases {
            var one = JSONWriter()
            ModelsRoute.write(alias, created: created, into: &one)
            bodies[alias] = ByteBuffer(bytes: one.bytes)
        }
        self.modelBodies = bodies
    }

    static func render(_ aliases: [String], created: Int) -> ByteBuffer {
        var list = JSONWriter()
        list.beginObject()
        list.key("object"); list.string("list")
        list.key("data"); list.beginArray()
        for alias in aliases { ModelsRoute.write(alias, created: created, into: &list) }
        list.endArray()
        list.endObject()
        return ByteBuffer(bytes: list.bytes)
    }

    private static func write(_ alias: String, created: Int, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id"); writer.string(alias)
        writer.key("object"); writer.string("model")
        writer.key("created"); writer.int(created)
        writer.key("owned_by"); writer.string("switchyard")
        writer.endObject()
    }

    /// The list the caller may use: all aliases, or a virtual key's allowed ones.
    func list(for principal: Principal) -> Response {
        guard case .key(let key) = principal, !key.models.isEmpty else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: listBody))
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ModelsRoute.render(aliases.filter(key.allows(model:)), created: created)))
    }

    func model(_ id: String, for principal: Principal) throws(GatewayError) -> Response {
        guard let body = modelBodies[id], principal.allows(model: id) else { throw .modelNotFound(id) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}
