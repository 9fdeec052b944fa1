import CryptoExtras
import Foundation
public import SwitchyardCore

/// A Google Cloud service-account key file (`"type": "service_account"`), and the OAuth2 JWT
/// bearer grant (RFC 7523) that trades it for an access token: a JWT signed RS256 with the key,
/// posted to the file's `token_uri`. Pure: building the grant and reading the answer; the
/// fetching and caching is `ServiceAccountTokenSource`'s.
public struct ServiceAccount: Sendable {
    public let clientEmail: String
    public let privateKeyID: String?
    public let tokenURI: String
    public let projectID: String?
    let key: _RSA.Signing.PrivateKey

    /// The scope Vertex AI needs.
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
    /// Google's token endpoint, when the file names none.
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"
    /// How long an assertion is valid (Google's maximum).
    static let assertionLifetime: Int64 = 3600

    /// Why a key file cannot be used (never quoting the key).
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(json: [UInt8]) throws(Invalid) {
        guard let file = try? JSONValue.parse(json), file.isObject else { throw Invalid(description: "not a JSON object") }
        guard file["type"]?.stringValue == "service_account" else { throw Invalid(description: "`type` is not service_account") }
        guard let email = file["client_email"]?.stringValue, !email.isEmpty else { throw Invalid(description: "no client_email") }
        guard let pem = file["private_key"]?.stringValue, let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) else {
            throw Invalid(description: "private_key is not an RSA private key in PEM")
        }
        let tokenURI = file["token_uri"]?.stringValue ?? ServiceAccount.defaultTokenURI
        guard tokenURI.hasPrefix("https://") || tokenURI.hasPrefix("http://") else { throw Invalid(description: "token_uri is not a URL") }
        self.clientEmail = email
        self.privateKeyID = file["private_key_id"]?.stringValue
        self.tokenURI = tokenURI
        self.projectID = file["project_id"]?.stringValue
        self.key = key
    }

    public init(contentsOf path: String) throws(Invalid) {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid(description: "cannot read \(path)") }
        try self.init(json: Array(data))
    }

    /// The signed JWT asserting this account at `now` (seconds since 1970).
    public func assertion(now: Int64, scope: String = ServiceAccount.cloudPlatformScope) throws(GatewayError) -> String {
        var header: [(String, JSONValue?)] = [("alg", .string("RS256")), ("typ", .string("JWT"))]
        if let privateKeyID { header.append(("kid", .string(privateKeyID))) }
        let claims = JSONValue.object([
            .init("iss", .string(clientEmail)), .init("scope", .string(scope)), .init("aud", .string(tokenURI)),
            .init("iat", .int(Int(now))), .init("exp", .int(Int(now + ServiceAccount.assertionLifetime))),
        ])
        let headerJSON = JSONValue.object(header.compactMap { key, value in value.map { JSONValue.JSONField(key, $0) } })
        let signingInput = Base64URL.encode(headerJSON.serialized) + "." + Base64URL.encode(claims.serialized)
        do {
            let signature = try key.signature(for: Array(signingInput.utf8), padding: .insecurePKCS1v1_5)
            return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
        } catch {
            throw .upstream(.upstreamAuthentication, "The service account's key could not sign a token request.", status: nil)
        }
    }

    /// The token request for an assertion (`application/x-www-form-urlencoded`).
    public func tokenRequest(assertion: String) -> UpstreamRequest {
        let body = "grant_type=" + PercentEncoding.pathSegment("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + assertion
        return UpstreamRequest(url: tokenURI, headers: [("content-type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    /// An access token and when it expires, from the token endpoint's answer.
    public struct AccessToken: Sendable, Equatable {
        public let value: String
        /// Seconds since 1970.
        public let expiresAt: Int64
    }

    /// Reads the token endpoint's answer (`{"access_token","expires_in","token_type":"Bearer"}`);
    /// anything else is an upstream authentication failure naming the provider (no secret quoted).
    public static func accessToken(status: Int, body: [UInt8], now: Int64, provider: String) throws(GatewayError) -> AccessToken {
        let json = try? JSONValue.parse(body)
        guard (200..<300).contains(status), let token = json?["access_token"]?.stringValue, !token.isEmpty else {
            let reason = json?["error"]?.stringValue.map { " (\($0.excerpt))" } ?? ""
            throw .upstream(
                .upstreamAuthentication, "Provider '\(provider)' could not get an access token for its service account: HTTP \(status)\(reason).",
                status: status)
        }
        let lifetime = min(max(json?["expires_in"]?.intValue ?? 3600, 0), 86_400)
        return AccessToken(value: token, expiresAt: now + Int64(lifetime))
    }
}

/// Base64url without padding (RFC 7515 §2).
package enum Base64URL {
    package static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { Array($0) }
    }

    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
