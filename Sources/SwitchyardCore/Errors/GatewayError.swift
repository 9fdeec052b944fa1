/// The one error type of the gateway.
///
/// A `GatewayError` knows its HTTP status, whether the executor may retry it, and how to
/// render itself in the caller's wire format (see `GatewayError+OpenAI.swift`). Messages are
/// written by the gateway; upstream bodies are never copied verbatim into them except for the
/// scrubbed `message` of client-caused upstream errors (invalid request, context length).
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as the gateway classifies it.
    public enum Kind: String, Sendable, Equatable {
        case invalidRequest
        case authentication
        case permissionDenied
        case modelNotFound
        case unknownEndpoint
        case resourceNotFound
        case insufficientCredits
        /// A key with credits or a budget asked for a model the gateway has no price for.
        case unpricedModel
        case payloadTooLarge
        case rateLimited
        case contextLengthExceeded
        case contentFiltered
        case upstreamAuthentication
        case upstreamRateLimited
        case upstreamQuotaExhausted
        case upstreamOverloaded
        case upstreamServerError
        case upstreamInvalidRequest
        case upstreamNotFound
        case upstreamUnreachable
        case upstreamTimeout
        case upstreamMalformed
        case noHealthyDeployment
        /// The gateway itself is at a resource bound (buffered response bytes).
        case gatewayOverloaded
        case internalError
    }

    public let kind: Kind
    public let message: String
    /// The request field the error is about, when there is one (OpenAI's `param`).
    public let param: String?
    /// Seconds the caller should wait before trying again (rendered as `retry-after`).
    public let retryAfterSeconds: Double?
    /// The HTTP status the upstream answered with, when the error came from an upstream.
    public let upstreamStatus: Int?
    /// Extra response headers (e.g. `x-ratelimit-*` on the gateway's own 429s).
    public var headers: [String: String] = [:]

    init(_ kind: Kind, _ message: String, param: String? = nil, retryAfterSeconds: Double? = nil, upstreamStatus: Int? = nil) {
        self.kind = kind
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
        self.upstreamStatus = upstreamStatus
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

// MARK: - Constructors

extension GatewayError {
    public static func invalidRequest(_ message: String, param: String? = nil) -> GatewayError {
        GatewayError(.invalidRequest, message, param: param)
    }
    public static func authentication(_ message: String = "Invalid or missing API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key'.") -> GatewayError {
        GatewayError(.authentication, message)
    }
    public static func permissionDenied(_ message: String) -> GatewayError {
        GatewayError(.permissionDenied, message)
    }
    public static func modelNotFound(_ model: String) -> GatewayError {
        GatewayError(.modelNotFound, "The model `\(model.excerpt)` does not exist on this gateway. GET /v1/models lists the models you can use.", param: "model")
    }
    public static func insufficientCredits(_ message: String) -> GatewayError {
        GatewayError(.insufficientCredits, message)
    }
    public static func unpricedModel(_ alias: String) -> GatewayError {
        GatewayError(
            .unpricedModel,
            "Model `\(alias.excerpt)` has no price in the gateway's config or catalog, so its use cannot be charged to this key's credits or budget. "
                + "An operator can set `price:` on the model, or `allow_unpriced: true` to serve it unmetered.", param: "model")
    }
    public static func payloadTooLarge(limit: Int?) -> GatewayError {
        GatewayError(.payloadTooLarge, "Request body is larger than the gateway's limit\(limit.map { " of \($0) bytes" } ?? "") (server.max_body_bytes).")
    }
    /// 404 for a resource that does not exist (or that the caller may not see).
    public static func notFound(_ message: String, param: String? = nil) -> GatewayError {
        GatewayError(.resourceNotFound, message, param: param)
    }
    public static func unknownEndpoint(_ message: String) -> GatewayError {
        GatewayError(.unknownEndpoint, message)
    }
    public static func rateLimited(_ message: String, retryAfterSeconds: Double?) -> GatewayError {
        GatewayError(.rateLimited, message, retryAfterSeconds: retryAfterSeconds)
    }
    public static func contextLengthExceeded(_ message: String, upstreamStatus: Int? = nil) -> GatewayError {
        GatewayError(.contextLengthExceeded, message, param: "messages", upstreamStatus: upstreamStatus)
    }
    public static func contentFiltered(_ message: String, upstreamStatus: Int? = nil) -> GatewayError {
        GatewayError(.contentFiltered, message, upstreamStatus: upstreamStatus)
    }
    public static func upstream(_ kind: Kind, _ message: String, status: Int?, retryAfterSeconds: Double? = nil, param: String? = nil) -> GatewayError {
        GatewayError(kind, message, param: param, retryAfterSeconds: retryAfterSeconds, upstreamStatus: status)
    }
    public static func upstreamUnreachable(_ provider: String) -> GatewayError {
        GatewayError(.upstreamUnreachable, "Could not connect to provider '\(provider)'.")
    }
    public static func upstreamTimeout(_ provider: String) -> GatewayError {
        GatewayError(.upstreamTimeout, "Provider '\(provider)' did not answer in time.")
    }
    public static func upstreamMalformed(_ provider: String, _ detail: String) -> GatewayError {
        GatewayError(.upstreamMalformed, "Provider '\(provider)' sent a malformed response: \(detail)")
    }
    /// The connection closed (or failed) after the response head, before the body was whole.
    public static func upstreamTruncated(_ provider: String) -> GatewayError {
        GatewayError(.upstreamMalformed, "Provider '\(provider)' closed the connection before its response was complete.")
    }
    public static func gatewayOverloaded(_ message: String) -> GatewayError {
        GatewayError(.gatewayOverloaded, message, retryAfterSeconds: 1)
    }
    public static func noHealthyDeployment(_ model: String) -> GatewayError {
        GatewayError(.noHealthyDeployment, "No healthy deployment is available for model `\(model)`.")
    }
    public static func internalError(_ message: String) -> GatewayError {
        GatewayError(.internalError, message)
    }
}

// MARK: - Semantics

extension GatewayError {
    /// The HTTP status the caller receives.
    public var status: Int {
        switch kind {
        case .invalidRequest, .contextLengthExceeded, .upstreamInvalidRequest: 400
        case .contentFiltered: 400
        case .authentication: 401
        case .insufficientCredits, .unpricedModel: 402
        case .permissionDenied: 403
        case .modelNotFound, .unknownEndpoint, .resourceNotFound: 404
        case .payloadTooLarge: 413
        case .rateLimited, .upstreamRateLimited, .upstreamQuotaExhausted: 429
        case .upstreamAuthentication, .upstreamServerError, .upstreamUnreachable, .upstreamMalformed, .upstreamNotFound: 502
        case .upstreamOverloaded, .noHealthyDeployment, .gatewayOverloaded: 503
        case .upstreamTimeout: 504
        case .internalError: 500
        }
    }

    /// Whether another attempt (same or another deployment) may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .upstreamRateLimited, .upstreamOverloaded, .upstreamServerError, .upstreamUnreachable, .upstreamTimeout, .upstreamMalformed:
            true
        default:
            false
        }
    }

    /// Whether trying a different deployment (not the same one again) may succeed:
    /// the retryable kinds plus failures tied to one deployment's credentials or quota.
    public var allowsFailover: Bool {
        isRetryable || kind == .upstreamAuthentication || kind == .upstreamQuotaExhausted || kind == .upstreamNotFound
    }
}
