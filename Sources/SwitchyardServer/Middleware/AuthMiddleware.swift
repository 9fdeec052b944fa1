import Hummingbird
import HTTPTypes
import SwitchyardCore

/// Checks the caller's key on `/v1/*`: `Authorization: Bearer <key>` or `x-api-key`.
/// With `server.require_keys: false` every caller is let in.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let masterKey: Secret?
    let requireKeys: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard requireKeys else { return try await next(request, context) }
        guard let presented = AuthMiddleware.presentedKey(request.headers), let masterKey,
            ConstantTime.equal(presented, masterKey.value)
        else { throw GatewayError.authentication() }
        return try await next(request, context)
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

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
