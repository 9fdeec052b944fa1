import CryptoExtras
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import SwitchyardCore
import SwitchyardProviders

/// Google's OAuth2 token endpoint (`POST /token`, the JWT bearer grant) and Vertex AI's publisher
/// model paths (`/v1/projects/{p}/locations/{l}/publishers/google|anthropic/models/{model}:{method}`).
/// The token endpoint checks the assertion as Google does — RS256 signature by the fixture
/// service account's key, `iss`, `aud` (this endpoint), `scope`, an `exp` after `iat` — and issues
/// `ya29.fake-<n>` tokens valid for `vertexTokenLifetime`; Vertex paths accept only a token it
/// issued. Gemini models answer from the Gemini fixtures, Claude models (which must send
/// `anthropic_version: vertex-2023-10-16` and no `model`) from the Anthropic ones.
extension FakeUpstream {
    /// Tokens the fake issued, in order.
    public var issuedTokens: [String] { vertexState.withLock { $0.issued } }

    func addVertexRoutes(to router: Router<FakeUpstreamContext>) {
        router.post("/token") { request, context in try await self.token(request, context: context) }
        router.post("/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{action}") { request, context in
            try await self.vertex(request, context: context)
        }
    }

    private func oauthError(_ error: String, _ description: String) -> Response {
        let body = JSONValue.record(["error": .string(error), "error_description": .string(description)]).serialized
        return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func token(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = String(decoding: try await record(request, context: context), as: UTF8.self)
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = form["assertion"] else {
            return oauthError("unsupported_grant_type", "Invalid grant_type.")
        }
        let pieces = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 3, let header = Base64URL.decode(pieces[0]).flatMap({ try? JSONValue.parse($0) }),
            let claims = Base64URL.decode(pieces[1]).flatMap({ try? JSONValue.parse($0) }), let signature = Base64URL.decode(pieces[2]),
            header["alg"]?.stringValue == "RS256"
        else { return oauthError("invalid_grant", "Invalid JWT.") }
        let account = try JSONValue.parse(try fixtures.data("vertex", "service-account.json"))
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: account["private_key"]?.stringValue ?? "")
        guard key.publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: Array((pieces[0] + "." + pieces[1]).utf8), padding: .insecurePKCS1v1_5)
        else { return oauthError("invalid_grant", "Invalid JWT Signature.") }
        let audience = "http://\(request.head.authority ?? "")/token"
        guard claims["iss"]?.stringValue == account["client_email"]?.stringValue, claims["aud"]?.stringValue == audience,
            claims["scope"]?.stringValue == "https://www.googleapis.com/auth/cloud-platform",
            let issued = claims["iat"]?.intValue, let expires = claims["exp"]?.intValue, expires > issued, expires - issued <= 3600
        else { return oauthError("invalid_grant", "Invalid JWT claims.") }
        let token = vertexState.withLock { state in
            state.issued.append("ya29.fake-\(state.issued.count + 1)")
            return state.issued[state.issued.count - 1]
        }
        let answer = JSONValue.record([
            "access_token": .string(token), "expires_in": .int(vertexTokenLifetime), "token_type": .string("Bearer"),
        ]).serialized
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
    }

    private func vertex(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let bearer, issuedTokens.contains(bearer) else {
            let error = #"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#
            return Response(status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: error)))
        }
        let action = (request.uri.path.split(separator: "/").last.map(String.init) ?? "").removingPercentEncoding
        let parts = action.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return try errorResponse("404", provider: "gemini") }
        let json = try JSONValue.parse(body)
        if context.parameters.get("publisher") == "anthropic" {
            guard json["anthropic_version"]?.stringValue == "vertex-2023-10-16", json["model"] == nil else {
                return try errorResponse("400", provider: "anthropic")
            }
            let streams = parts[1] == "streamRawPredict"
            guard streams || parts[1] == "rawPredict", (json["stream"]?.boolValue ?? false) == streams else {
                return try errorResponse("400", provider: "anthropic")
            }
            return try anthropicAnswer(json, model: parts[0])
        }
        return try geminiAnswer(json, model: parts[0], method: parts[1], request: request)
    }
}

extension Fixtures {
    /// The fixture service-account key file with `token_uri` set (the fake's `/token`), written to
    /// a temporary file; `foreignKey` puts in a fresh key the token endpoint does not know.
    public func vertexServiceAccountFile(tokenURI: String, foreignKey: Bool = false) throws -> String {
        var account = try JSONValue.parse(try data("vertex", "service-account.json"))
        guard case .object(var fields) = account else { return "" }
        for index in fields.indices {
            switch fields[index].key {
            case "token_uri": fields[index].value = .string(tokenURI)
            case "private_key" where foreignKey: fields[index].value = .string(try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation)
            default: break
            }
        }
        account = .object(fields)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("service-account-\(UUID().uuidString).json")
        try Data(account.serialized).write(to: file)
        return file.path
    }
}
