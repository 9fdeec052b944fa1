import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting

/// `GET /v1/models` and `GET /v1/models/{model}`: the aliases of the config, in OpenAI's list shape.
/// The bodies are rendered once at start-up.
struct ModelsRoute: Sendable {
    let listBody: ByteBuffer
    let modelBodies: [String: ByteBuffer]

    init(aliases: [String], created: Int) {
        var list = JSONWriter()
        list.beginObject()
        list.key("object"); list.string("list")
        list.key("data"); list.beginArray()
        var bodies: [String: ByteBuffer] = [:]
        for alias in aliases {
            var one = JSONWriter()
            ModelsRoute.write(alias, created: created, into: &one)
            bodies[alias] = ByteBuffer(bytes: one.bytes)
            ModelsRoute.write(alias, created: created, into: &list)
        }
        list.endArray()
        list.endObject()
        self.listBody = ByteBuffer(bytes: list.bytes)
        self.modelBodies = bodies
    }

    private static func write(_ alias: String, created: Int, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id"); writer.string(alias)
        writer.key("object"); writer.string("model")
        writer.key("created"); writer.int(created)
        writer.key("owned_by"); writer.string("switchyard")
        writer.endObject()
    }

    func list() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: listBody))
    }

    func model(_ id: String) throws(GatewayError) -> Response {
        guard let body = modelBodies[id] else { throw .modelNotFound(id) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}
