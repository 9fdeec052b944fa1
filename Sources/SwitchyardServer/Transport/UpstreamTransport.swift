public import AsyncHTTPClient
public import NIOCore
import NIOHTTP1
public import NIOSSL
public import SwitchyardCore

/// An upstream response whose head has arrived; its body is still streaming.
public struct UpstreamResponse: Sendable {
    public let status: Int
    public let headers: HeaderList
    public let body: any UpstreamBodyStream

    public init(status: Int, headers: HeaderList, body: any UpstreamBodyStream) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Reads the rest of the body (bounded), for error classification and non-streaming replies.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var whole = ByteBuffer()
        while let chunk = try await body.next() {
            guard whole.readableBytes + chunk.readableBytes <= limit else { throw UpstreamBodyReader.BodyTooLarge() }
            whole.writeImmutableBuffer(chunk)
        }
        return whole
    }
}

/// The only outbound I/O of the gateway: sends an `UpstreamRequest` and returns the streaming response.
public protocol UpstreamTransport: Sendable {
    func send(_ request: UpstreamRequest, timeout: Duration) async throws -> UpstreamResponse
}

/// The gateway's `UpstreamTransport`: plain-HTTP upstreams through its own `HTTP1ConnectionPool`
/// (one flush per request, connections kept on the requesting event loop), TLS upstreams through
/// AsyncHTTPClient (HTTP/2 where the provider offers it). TCP_NODELAY is on in both (NIO's default).
public struct HTTPUpstreamTransport: UpstreamTransport {
    let client: HTTPClient
    let pool: HTTP1ConnectionPool?
    /// TLS settings of the providers whose `tls:` differs from the system defaults, by name.
    let tls: [String: TLSConfiguration]

    /// `pool` nil sends plain HTTP through AsyncHTTPClient too.
    public init(client: HTTPClient, pool: HTTP1ConnectionPool? = HTTP1ConnectionPool(), tls: [String: TLSConfiguration] = [:]) {
        self.client = client
        self.pool = pool
        self.tls = tls
    }

    /// The client TLS configuration of each provider with custom `tls:` settings; a CA file
    /// that cannot be read is an error at start-up, not at the first request.
    public static func tlsConfigurations(_ providers: [ProviderSettings]) throws -> [String: TLSConfiguration] {
        var result: [String: TLSConfiguration] = [:]
        for provider in providers where provider.tls.isCustom {
            var configuration = clientTLS()
            if let file = provider.tls.caFile {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            }
            if provider.tls.insecureSkipVerify { configuration.certificateVerification = .none }
            result[provider.name] = configuration
        }
        return result
    }

    /// A client tuned for a gateway: large per-host pools and no redirects.
    public static func makeClient() -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration())
    }

    static func clientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        // A refused connection fails the attempt at once so the executor can fail over; AHC's
        // default keeps retrying until the connect timeout (10 s lost per dead deployment).
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        configuration.decompression = .disabled
        configuration.tlsConfiguration = clientTLS()
        return configuration
    }

    /// The system-trust TLS client settings, with a short TLS shutdown: when the gateway abandons
    /// a response (the client left), NIOSSL would otherwise wait up to 5 s for the provider's
    /// `close_notify` before closing the connection, and the provider keeps generating meanwhile.
    static func clientTLS() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.shutdownTimeout = .milliseconds(50)
        return configuration
    }

    public func send(_ request: UpstreamRequest, timeout: Duration) async throws -> UpstreamResponse {
        if let pool, let url = UpstreamURL(plainHTTP: request.url) {
            return try await pool.send(request, to: url, deadline: .now() + TimeAmount(timeout))
        }
        var outbound = HTTPClientRequest(url: request.url)
        if let provider = request.provider, let configuration = tls[provider] { outbound.tlsConfiguration = configuration }
        outbound.method = request.method == .post ? .POST : .GET
        for header in request.headers { outbound.headers.add(name: header.name, value: header.value) }
        if request.method == .post {
            outbound.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await client.execute(outbound, timeout: .nanoseconds(nanoseconds))
        return UpstreamResponse(
            status: Int(response.status.code),
            headers: HeaderList(response.headers.map { (name: $0.name, value: $0.value) }),
            body: AsyncHTTPClientBody(response.body))
    }
}
