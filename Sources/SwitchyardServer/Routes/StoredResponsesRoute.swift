import Foundation
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardProviders

/// `GET /v1/responses/{id}`, `DELETE /v1/responses/{id}` and `GET /v1/responses/{id}/input_items`
/// over the gateway's stored responses: a key sees only its own (another key's id is a 404).
struct StoredResponsesRoute: Sendable {
    let store: any AccountStore
    let retentionSeconds: Int64

    func get(id: String, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let stored = try await ResponsesCodec.stored(id: id, owner: context.principal.owner, store: store, retentionSeconds: retentionSeconds, param: nil)
        return Self.json(stored.response)
    }

    func delete(id: String, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        _ = try await ResponsesCodec.stored(id: id, owner: context.principal.owner, store: store, retentionSeconds: retentionSeconds, param: nil)
        do {
            _ = try await store.deleteResponse(id: id, owner: context.principal.owner)
        } catch {
            throw .internalError("The response store could not be written.")
        }
        return Self.json(JSONValue.record(["id": .string(id), "object": .string("response"), "deleted": .bool(true)]).serialized)
    }

    /// The conversation's input items for that response, newest first unless `order=asc`,
    /// `limit` (1…100, default 20) at a time after the item id `after`.
    func inputItems(id: String, request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let stored = try await ResponsesCodec.stored(id: id, owner: context.principal.owner, store: store, retentionSeconds: retentionSeconds, param: nil)
        let query = request.uri.queryParameters
        let limitText = query["limit"].map(String.init) ?? "20"
        guard let limit = Int(limitText), (1...100).contains(limit) else {
            throw .invalidRequest("Invalid 'limit': expected an integer between 1 and 100.", param: "limit")
        }
        let order = query["order"].map(String.init) ?? "desc"
        guard order == "asc" || order == "desc" else { throw .invalidRequest("Invalid 'order': expected 'asc' or 'desc'.", param: "order") }
        // Items the client sent without an id get one derived from the response's and their position.
        var items = ResponsesCodec.items(stored.inputItems).enumerated().map { index, item -> JSONValue in
            guard case .object(var fields) = item else { return item }
            if item["type"] == nil { fields.insert(.init("type", .string("message")), at: 0) }
            if item["id"] == nil { fields.insert(.init("id", .string("item_\(id.dropFirst(5))_\(index)")), at: 0) }
            return .object(fields)
        }
        if order == "desc" { items.reverse() }
        if let after = query["after"].map(String.init), let position = items.firstIndex(where: { $0["id"]?.stringValue == after }) {
            items.removeFirst(position + 1)
        }
        let page = Array(items.prefix(limit))
        let body = JSONValue.record([
            "object": .string("list"), "data": .array(page), "first_id": page.first?["id"] ?? .null, "last_id": page.last?["id"] ?? .null,
            "has_more": .bool(items.count > limit),
        ])
        return Self.json(body.serialized)
    }

    static func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
