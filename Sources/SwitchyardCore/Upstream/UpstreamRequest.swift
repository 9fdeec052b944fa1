/// An HTTP request to a provider, as an adapter builds it (no I/O types: the transport sends it).
public struct UpstreamRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The configured provider the request goes to (set by the gateway: the transport applies
    /// that provider's TLS settings).
    public var provider: String?
    /// Credentials that take I/O to obtain (an OAuth2 access token), added by the gateway just
    /// before the request is sent; nil when the adapter signed the request itself.
    public var authorizer: (any UpstreamAuthorizer)?

    public init(method: Method = .post, url: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Case-insensitive header lookup over a list of name/value pairs.
public struct HeaderList: Sendable {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    public subscript(_ name: String) -> String? {
        pairs.first { HeaderList.namesMatch($0.name, name) }?.value
    }

    /// ASCII case-insensitive comparison of header names, without allocating lowercased copies.
    public static func namesMatch(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { lhs, rhs in
            lhs == rhs || (lhs | 0x20 == rhs | 0x20 && (lhs | 0x20) >= UInt8(ascii: "a") && (lhs | 0x20) <= UInt8(ascii: "z"))
        }
    }
}

/// Adds credentials to a request that an adapter cannot compute by itself: a token fetched from
/// an authorization server and cached (Vertex AI's service accounts). `send` reaches that
/// server through the gateway's transport.
public protocol UpstreamAuthorizer: Sendable {
    func authorize(
        _ request: inout UpstreamRequest, send: @escaping @Sendable (UpstreamRequest) async throws -> (status: Int, body: [UInt8])
    ) async throws(GatewayError)
}
