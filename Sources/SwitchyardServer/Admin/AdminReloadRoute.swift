import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting

/// `POST /admin/reload`: rebuild the routers from their weights files (e.g. after
/// `switchyard router train --from-feedback` wrote the file a router's `weights:` names).
/// Providers, models and keys are not reloaded here (keys reload on their own every 2 s).
struct AdminReloadRoute: Sendable {
    let routers: RouterRegistry

    func handle() throws(GatewayError) -> Response {
        let reloaded: RouterSet
        do {
            reloaded = try routers.reload()
        } catch {
            throw .internalError("The routers could not be reloaded; the previous ones stay in use: \(error)")
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("reloaded"); writer.beginArray()
        for name in reloaded.names { writer.string(name) }
        writer.endArray()
        writer.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}
