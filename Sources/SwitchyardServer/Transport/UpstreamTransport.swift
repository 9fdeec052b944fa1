import AsyncHTTPClient
public import NIOCore
import NIOHTTP1
public import SwitchyardCore

/// An upstream response whose head has arrived; its body is still streaming.
public struct UpstreamResponse: Sendable {
    public let status: Int
    public let headers: HeaderList
    public let body: HTTPClientResponse.Body

    /// Reads the rest of the body (bounded), for error classification and non-streaming replies.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        try await body.collect(upTo: limit)
    }
}

/// The only outbound I/O of the gateway: sends an `UpstreamRequest` and returns the streaming response.
public protocol UpstreamTransport: Sendable {
    func send(_ request: UpstreamRequest, timeout: Duration) async throws -> UpstreamResponse
}

/// `UpstreamTransport` over AsyncHTTPClient: pooled keep-alive connections (TCP_NODELAY is on by
/// default in NIO's ClientBootstrap), HTTP/1.1 and HTTP/2 over TLS, plain HTTP for local servers.
public struct HTTPUpstreamTransport: UpstreamTransport {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
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
        return configuration
    }

    public func send(_ request: UpstreamRequest, timeout: Duration) async throws -> UpstreamResponse {
        var outbound = HTTPClientRequest(url: request.url)
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
            body: response.body)
    }
}
