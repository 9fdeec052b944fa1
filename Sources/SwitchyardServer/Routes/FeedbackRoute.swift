import Foundation
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardRouting

/// `POST /v1/feedback {"request_id", "outcome": "good"|"bad"|0…1, "preferred_model"?}`: a verdict
/// on a routed answer, stored with the router's view of the request for
/// `switchyard router train --from-feedback`. Only the key that made the request (or the master
/// key) may judge it.
struct FeedbackRoute: Sendable {
    let gateway: Gateway
    let store: any AccountStore

    func handle(_ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let bytes = try await RequestBodyReader.read(request, limit: 64 * 1024)
        guard let json = try? JSONValue.parse(bytes, strict: true), json.isObject else { throw .invalidRequest("The body must be a JSON object (no duplicate keys, valid UTF-8).") }
        guard let requestID = json["request_id"]?.stringValue, !requestID.isEmpty else {
            throw .invalidRequest("Missing required parameter: 'request_id' (the x-request-id of the routed response).", param: "request_id")
        }
        let outcome: Double
        switch json["outcome"] {
        case .string("good")?: outcome = 1
        case .string("bad")?: outcome = 0
        case let value? where value.doubleValue.map({ (0...1).contains($0) }) == true: outcome = value.doubleValue ?? 0
        default: throw .invalidRequest("'outcome' must be \"good\", \"bad\" or a number from 0 to 1.", param: "outcome")
        }
        guard let recent = gateway.recentRoutes.entry(requestID: requestID) else {
            throw .notFound("No routed request '\(requestID)' in the last \(gateway.recentRoutes.capacity) routed requests; feedback is taken for requests sent to a router (e.g. model \"auto\").")
        }
        var keyID: String?
        if case .key(let key) = context.principal {
            keyID = key.id
            guard recent.keyID == key.id else { throw .permissionDenied("Feedback on a request is accepted only from the key that made it.") }
        }
        let preferred = json["preferred_model"]?.stringValue
        let feedback = RouteFeedback(
            requestID: requestID, router: recent.decision.router, label: recent.decision.label, alias: recent.decision.alias, outcome: outcome,
            preferredModel: preferred, embedding: recent.decision.embedding, keyID: keyID ?? recent.keyID, createdAt: Int64(Date().timeIntervalSince1970))
        do {
            try await store.recordFeedback(feedback)
        } catch {
            throw .internalError("The feedback could not be stored.")
        }
        let body = JSONValue.record([
            "request_id": .string(requestID), "router": .string(feedback.router), "label": .string(feedback.label), "outcome": .double(outcome),
            "trainable": .bool(feedback.embedding != nil),
        ])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.serialized)))
    }
}
