import Hummingbird
import HTTPTypes
import SwitchyardCore
import Logging
import SwitchyardAccounts

/// Gives every request a new id (the ledger's key, so it is always the gateway's own; a caller's
/// `x-request-id` is echoed as `x-client-request-id`), stamps it on every response, and renders
/// any error in the caller's wire format — so even a 404 for an unknown path or a 413 from the
/// body limit carries the OpenAI envelope.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.startedAt = .now
        context.requestID = RequestID.make()
        if request.uri.path.hasPrefix("/v1/messages") { context.errorFormat = .anthropic }
        let clientRequestID = RequestID.accept(request.headers[.xRequestID])
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as GatewayError {
            response = ErrorResponse.make(error, context: context)
        } catch let error as any HTTPResponseError {
            response = ErrorResponse.make(ErrorResponse.gatewayError(for: error), context: context)
        } catch is AccountStoreUnavailable {
            response = ErrorResponse.make(.gatewayOverloaded("The account store is unavailable right now; try again shortly."), context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["request_id": "\(context.requestID)", "error": "\(String(reflecting: type(of: error)))"])
            response = ErrorResponse.make(.internalError("The gateway failed to handle the request."), context: context)
        }
        if response.status.code >= 400 { metrics.rejected(path: RequestIDMiddleware.pathGroup(request.uri.path), status: response.status.code) }
        response.headers[.xRequestID] = context.requestID
        if let clientRequestID { response.headers[.xClientRequestID] = clientRequestID }
        return response
    }
}

extension RequestIDMiddleware {
    /// The endpoint a path belongs to, for metric labels (ids in admin paths are not labels).
    static func pathGroup(_ path: String) -> String {
        for known in ["/v1/chat/completions", "/v1/messages", "/v1/embeddings", "/v1/models", "/v1/feedback", "/admin/keys", "/admin/usage", "/admin/models"]
        where path.hasPrefix(known) { return known }
        return "other"
    }
}

/// Request ids: `req_` and 24 hex digits.
enum RequestID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt32
        return "req_" + hex(high, digits: 16) + hex(UInt64(low), digits: 8)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// A caller-supplied id, if it is short and printable (it is echoed into logs and headers).
    static func accept(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        return value
    }
}
