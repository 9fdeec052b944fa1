import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardAccounts
import SwitchyardRouting

/// `GET /v1/models` and `GET /v1/models/{model}`: the aliases (and routers) of the config, in
/// OpenAI's list shape, each with what a client choosing a model wants to know — its provider
/// (`owned_by`), `context_length`, `pricing` (USD per million tokens) and `capabilities` —
/// from the config, else the catalog. The bodies are rendered once at start-up.
struct ModelsRoute: Sendable {
    /// What one listed model shows.
    struct Listing: Sendable {
        var id: String
        var ownedBy: String
        var contextLength: Int?
        var price: Price?
        var capabilities: [String]
        var kind: String?
    }

    let listBody: ByteBuffer
    let modelBodies: [String: ByteBuffer]
    let listings: [Listing]
    let created: Int

    init(listings: [Listing], created: Int) {
        self.listings = listings
        self.created = created
        self.listBody = ModelsRoute.render(listings, created: created)
        var bodies: [String: ByteBuffer] = [:]
        for listing in listings {
            var one = JSONWriter()
            ModelsRoute.write(listing, created: created, into: &one)
            bodies[listing.id] = ByteBuffer(bytes: one.bytes)
        }
        self.modelBodies = bodies
    }

    /// A listing per alias (its first target's provider type and catalog entry) and per router.
    static func listings(configuration: GatewayConfiguration, routers: [String]) -> [Listing] {
        let aliases = configuration.models.map { model -> Listing in
            let target = model.targets.first
            let entry = target.flatMap(configuration.catalogEntry(of:))
            var capabilities = entry?.capabilities ?? []
            for capability in ["vision", "tools"] {
                let supported = configuration.supports(capability, model: model)
                if supported && !capabilities.contains(capability) && model.supports[capability] == true { capabilities.append(capability) }
                if !supported { capabilities.removeAll { $0 == capability } }
            }
            return Listing(
                id: model.name, ownedBy: target.flatMap { configuration.provider(named: $0.provider)?.type } ?? "switchyard",
                contextLength: configuration.contextWindow(of: model), price: target.flatMap { configuration.price(of: $0, in: model) },
                capabilities: capabilities, kind: entry?.kind)
        }
        return aliases + routers.map { Listing(id: $0, ownedBy: "switchyard", capabilities: [], kind: "router") }
    }

    static func render(_ listings: [Listing], created: Int) -> ByteBuffer {
        var list = JSONWriter()
        list.beginObject()
        list.key("object"); list.string("list")
        list.key("data"); list.beginArray()
        for listing in listings { ModelsRoute.write(listing, created: created, into: &list) }
        list.endArray()
        list.endObject()
        return ByteBuffer(bytes: list.bytes)
    }

    private static func write(_ listing: Listing, created: Int, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id"); writer.string(listing.id)
        writer.key("object"); writer.string("model")
        writer.key("created"); writer.int(created)
        writer.key("owned_by"); writer.string(listing.ownedBy)
        if let kind = listing.kind { writer.key("type"); writer.string(kind) }
        writer.key("context_length")
        if let length = listing.contextLength { writer.int(length) } else { writer.null() }
        writer.key("pricing")
        if let price = listing.price {
            writer.beginObject()
            for (name, rate) in [
                ("input", price.input), ("output", price.output), ("cached_input", price.cachedInput), ("cache_write", price.cacheWrite),
                ("per_image", price.perImage), ("per_audio_second", price.perAudioSecond),
                ("per_million_characters", price.perMillionCharacters), ("per_request", price.perRequest),
            ] {
                if let rate { writer.key(name); writer.double(rate) }
            }
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("capabilities"); writer.beginArray()
        for capability in listing.capabilities { writer.string(capability) }
        writer.endArray()
        writer.endObject()
    }

    /// The list the caller may use: all aliases, or a virtual key's allowed ones.
    func list(for principal: Principal) -> Response {
        guard case .key(let key) = principal, !key.models.isEmpty else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: listBody))
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ModelsRoute.render(listings.filter { key.allows(model: $0.id) }, created: created)))
    }

    func model(_ id: String, for principal: Principal) throws(GatewayError) -> Response {
        guard let body = modelBodies[id], principal.allows(model: id) else { throw .modelNotFound(id) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}
