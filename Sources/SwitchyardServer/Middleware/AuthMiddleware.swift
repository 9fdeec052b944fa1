import Hummingbird
import HTTPTypes
import SwitchyardCore
import SwitchyardAccounts
import Foundation

/// Checks the caller's key: `Authorization: Bearer <key>` or `x-api-key`. The master key, or an
/// active virtual key from the in-memory cache (no database read). With `require_keys: false`
/// callers without a key are let in as anonymous; `masterOnly` guards the admin API.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let masterKey: Secret?
    let requireKeys: Bool
    let keys: KeyCache?
    var masterOnly = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = try principal(for: AuthMiddleware.presentedKey(request.headers))
        return try await next(request, context)
    }

    func principal(for presented: String?) throws(GatewayError) -> Principal {
        if let presented, let masterKey, ConstantTime.equal(presented, masterKey.value) { return .master }
        if masterOnly { throw .authentication("This endpoint needs the master key.") }
        if let presented, let key = keys?.key(hash: KeyMaterial.hash(presented)) {
            guard key.isActive(at: Int64(Date().timeIntervalSince1970)) else {
                throw .authentication("This API key has been revoked or has expired.")
            }
            return .key(key)
        }
        // Without required keys any caller is let in (SDKs insist on sending some key).
        if !requireKeys { return .anonymous }
        throw .authentication()
    }

    /// The key the caller sent, from either header.
    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let prefix = "bearer "
            if authorization.count > prefix.count, authorization.prefix(prefix.count).lowercased() == prefix {
                return String(authorization.dropFirst(prefix.count)).trimmingSpaces()
            }
        }
        return headers[.xAPIKey]?.trimmingSpaces()
    }
}

/// Comparison whose time does not depend on where two secrets first differ.
enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

