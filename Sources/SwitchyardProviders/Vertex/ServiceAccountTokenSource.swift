public import SwitchyardCore

/// When a cached access token must be replaced (pure): a token is used until `refreshMargin`
/// before it expires, so no request leaves with a token that expires on the way.
public struct TokenRefreshPolicy: Sendable {
    public var refreshMargin: Int64 = 300

    public init(refreshMargin: Int64 = 300) {
        self.refreshMargin = refreshMargin
    }

    public func isFresh(_ token: ServiceAccount.AccessToken?, now: Int64) -> Bool {
        guard let token else { return false }
        return now < token.expiresAt - refreshMargin
    }
}

/// A service account's access token, fetched once and shared by every request until shortly
/// before it expires; one fetch at a time (requests arriving during a fetch wait for it). An
/// actor: the cached token and the fetch in flight are shared across awaits.
public actor ServiceAccountTokenSource: UpstreamAuthorizer {
    public let account: ServiceAccount
    let provider: String
    let policy: TokenRefreshPolicy
    let clock: @Sendable () -> Int64
    private var token: ServiceAccount.AccessToken?
    private var fetching: Task<ServiceAccount.AccessToken, any Error>?
    /// Tokens fetched so far (for tests and metrics).
    public private(set) var fetches = 0

    public init(account: ServiceAccount, provider: String, policy: TokenRefreshPolicy = TokenRefreshPolicy(), clock: @escaping @Sendable () -> Int64) {
        self.account = account
        self.provider = provider
        self.policy = policy
        self.clock = clock
    }

    public func authorize(
        _ request: inout UpstreamRequest, send: @escaping @Sendable (UpstreamRequest) async throws -> (status: Int, body: [UInt8])
    ) async throws(GatewayError) {
        let token = try await current(send: send)
        request.headers.append(("authorization", "Bearer " + token.value))
    }

    func current(send: @escaping @Sendable (UpstreamRequest) async throws -> (status: Int, body: [UInt8])) async throws(GatewayError) -> ServiceAccount.AccessToken {
        if policy.isFresh(token, now: clock()), let token { return token }
        if let fetching {
            return try await Self.awaited(fetching, provider: provider)
        }
        let account = self.account
        let provider = self.provider
        let clock = self.clock
        let assertion = try account.assertion(now: clock())
        let request = account.tokenRequest(assertion: assertion)
        // The fetch runs as its own task, so a caller that is cancelled does not cancel the
        // token every waiting request needs.
        let task = Task<ServiceAccount.AccessToken, any Error> {
            let answer: (status: Int, body: [UInt8])
            do {
                answer = try await send(request)
            } catch {
                throw GatewayError.upstream(.upstreamAuthentication, "Provider '\(provider)' could not reach its token endpoint.", status: nil)
            }
            return try ServiceAccount.accessToken(status: answer.status, body: answer.body, now: clock(), provider: provider)
        }
        fetching = task
        defer { fetching = nil }
        fetches += 1
        let fetched = try await Self.awaited(task, provider: provider)
        token = fetched
        return fetched
    }

    private static func awaited(_ task: Task<ServiceAccount.AccessToken, any Error>, provider: String) async throws(GatewayError) -> ServiceAccount.AccessToken {
        do {
            return try await task.value
        } catch let error as GatewayError {
            throw error
        } catch {
            throw .upstream(.upstreamAuthentication, "Provider '\(provider)' could not get an access token.", status: nil)
        }
    }
}
