import Hummingbird
import HTTPTypes
import NIOCore
import SwitchyardCore

/// Renders a `GatewayError` as an HTTP response in the caller's wire format.
enum ErrorResponse {
    static func make(_ error: GatewayError, context: GatewayRequestContext) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds {
            headers[.retryAfter] = String(max(1, Int(retryAfter.rounded(.up))))
        }
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let body: [UInt8]
        let status: Int
        switch context.errorFormat {
        case .openAI:
            body = error.openAIBody
            status = error.status
        case .anthropic:
            body = error.anthropicBody(requestID: context.requestID)
            status = error.anthropicStatus
            headers[.requestID] = context.requestID
        }
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Errors Hummingbird raises itself (no route, body too large, bad method).
    static func gatewayError(for error: any HTTPResponseError) -> GatewayError {
        switch error.status.code {
        case 404: .invalidRequestNotFound
        case 405: .invalidRequest("Method not allowed for this endpoint.")
        case 413: .payloadTooLarge(limit: nil)
        default: error.status.code < 500 ? .invalidRequest(error.status.reasonPhrase) : .internalError(error.status.reasonPhrase)
        }
    }
}

extension GatewayError {
    /// An unknown path (rendered as OpenAI renders it: 404 with `invalid_request_error`).
    static var invalidRequestNotFound: GatewayError {
        .unknownEndpoint(
            "Unknown endpoint. Switchyard serves POST /v1/chat/completions, POST /v1/responses (+ GET/DELETE /v1/responses/{id}), "
                + "POST /v1/messages (+ /count_tokens), POST /v1/embeddings and GET /v1/models.")
    }
}
