import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import SwitchyardCore

/// The gateway's own client for plain-HTTP upstreams (vLLM, llama.cpp, Ollama, in-cluster services,
/// sidecars): keep-alive HTTP/1.1 connections pooled per host and event loop. A request takes an idle
/// connection on the event loop it runs on when there is one, so the request, its upstream socket and
/// the client's socket are served by one thread; the request goes out in one flush (head and body in
/// one `writev`). A reused connection the server closed while idle is retried once on a new one.
public final class HTTP1ConnectionPool: Sendable {
    private struct Idle {
        var byHost: [UpstreamURL.HostKey: [HTTP1Connection]] = [:]
    }

    private let group: any EventLoopGroup
    private let idle = Mutex(Idle())
    let connectTimeout: TimeAmount
    let idleTimeout: TimeAmount
    /// Idle connections kept per host; more are closed when they come back.
    let maxIdlePerHost: Int

    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60), maxIdlePerHost: Int = 1024
    ) {
        self.group = group
        self.connectTimeout = TimeAmount(connectTimeout)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.maxIdlePerHost = maxIdlePerHost
    }

    /// Sends `request` to `url` and returns once the response head arrived; `deadline` bounds the whole
    /// exchange, body included.
    func send(_ request: UpstreamRequest, to url: UpstreamURL, deadline: NIODeadline) async throws -> UpstreamResponse {
        var head = HTTPRequestHead(version: .http1_1, method: request.method == .post ? .POST : .GET, uri: url.target)
        head.headers.reserveCapacity(request.headers.count + 2)
        head.headers.add(name: "host", value: url.hostHeader)
        for header in request.headers { head.headers.add(name: header.name, value: header.value) }
        var body: ByteBuffer?
        if request.method == .post {
            head.headers.add(name: "content-length", value: String(request.body.count))
            body = ByteBuffer(bytes: request.body)
        }
        let preferred = MultiThreadedEventLoopGroup.currentEventLoop
        if let connection = takeIdle(url.hostKey, preferring: preferred) {
            do {
                return try await exchange(on: connection, head: head, body: body, deadline: deadline)
            } catch HTTP1ExchangeHandler.Failure.connectionClosed(beforeResponse: true) {
                // The server closed the idle connection as the request went out: once more on a new one.
            }
        }
        let connection = try await connect(to: url, on: preferred ?? group.next(), deadline: deadline)
        return try await exchange(on: connection, head: head, body: body, deadline: deadline)
    }

    private func exchange(on connection: HTTP1Connection, head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline) async throws
        -> UpstreamResponse
    {
        let (response, stream) = try await connection.execute(head: head, body: body, deadline: deadline)
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(response.headers.count)
        for (name, value) in response.headers { headers.append((name: name, value: value)) }
        return UpstreamResponse(status: Int(response.status.code), headers: HeaderList(headers), body: stream)
    }

    private func connect(to url: UpstreamURL, on eventLoop: any EventLoop, deadline: NIODeadline) async throws -> HTTP1Connection {
        let remaining = deadline - .now()
        guard remaining > .zero else { throw HTTP1ExchangeHandler.Failure.deadlineExceeded }
        let key = url.hostKey
        let connection = try await HTTP1Connection.connect(
            to: url, on: eventLoop, connectTimeout: min(connectTimeout, remaining), idleTimeout: idleTimeout,
            onReusable: { [weak self] connection in self?.release(connection, key: key) })
        connection.channel.closeFuture.whenComplete { [weak self] _ in self?.forget(connection, key: key) }
        return connection
    }

    private func takeIdle(_ key: UpstreamURL.HostKey, preferring eventLoop: (any EventLoop)?) -> HTTP1Connection? {
        idle.withLock { idle in
            guard var connections = idle.byHost[key], !connections.isEmpty else { return nil }
            defer { idle.byHost[key] = connections }
            if let eventLoop, let index = connections.lastIndex(where: { $0.channel.eventLoop === eventLoop }) {
                return connections.remove(at: index)
            }
            return connections.removeLast()
        }
    }

    private func release(_ connection: HTTP1Connection, key: UpstreamURL.HostKey) {
        let kept = idle.withLock { idle in
            guard idle.byHost[key, default: []].count < maxIdlePerHost else { return false }
            idle.byHost[key, default: []].append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    private func forget(_ connection: HTTP1Connection, key: UpstreamURL.HostKey) {
        idle.withLock { idle in
            idle.byHost[key]?.removeAll { $0 === connection }
        }
    }

    /// Closes every idle connection (at shutdown).
    public func closeIdle() {
        let all = idle.withLock { idle in
            defer { idle.byHost = [:] }
            return idle.byHost.values.flatMap { $0 }
        }
        for connection in all { connection.channel.close(promise: nil) }
    }
}

/// A response body read from an `HTTP1Connection`; its silence limit is the connection's own timer.
///
/// `@unchecked Sendable`: the iterator is only advanced by one task at a time (see `UpstreamBodyReader`).
final class HTTP1Body: UpstreamBodyStream, @unchecked Sendable {
    private var iterator: HTTP1ResponseBody.AsyncIterator
    private let eventLoop: any EventLoop
    private let handler: NIOLoopBound<HTTP1ExchangeHandler>
    private let exchange: Int

    init(_ body: HTTP1ResponseBody, eventLoop: any EventLoop, handler: NIOLoopBound<HTTP1ExchangeHandler>, exchange: Int) {
        self.iterator = body.makeAsyncIterator()
        self.eventLoop = eventLoop
        self.handler = handler
        self.exchange = exchange
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }

    func next(silenceLimit: Duration) async throws -> ByteBuffer? {
        let (handler, exchange, limit) = (self.handler, self.exchange, TimeAmount(silenceLimit))
        if eventLoop.inEventLoop {
            handler.value.awaitingChunk(exchange: exchange, limit: limit)
        } else {
            eventLoop.execute { handler.value.awaitingChunk(exchange: exchange, limit: limit) }
        }
        return try await iterator.next()
    }
}

extension UpstreamURL {
    /// What connections are pooled by.
    struct HostKey: Hashable, Sendable {
        let host: String
        let port: Int
    }

    var hostKey: HostKey { HostKey(host: host, port: port) }
}
