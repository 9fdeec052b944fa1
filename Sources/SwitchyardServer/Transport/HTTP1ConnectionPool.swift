import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import SwitchyardCore

/// The gateway's own client for plain-HTTP upstreams (vLLM, llama.cpp, Ollama, in-cluster services,
/// sidecars): keep-alive HTTP/1.1 connections pooled per host and event loop. A request takes an idle
/// connection on the event loop it runs on, or opens one there while the host is below its limit, so
/// the request, its upstream socket and the client's socket are served by one thread (only a host at
/// its limit lends another loop's idle connection); the request goes out in one flush (head and body in
/// one `writev`). A reused connection the server closed while idle is retried once on a new one. At
/// most `maxConnectionsPerHost` connections are open to a host; further requests wait (until their
/// deadline) for one to come back.
public final class HTTP1ConnectionPool: Sendable {
    /// One host's connections: the idle ones, how many are open (idle, busy or connecting), and the
    /// requests waiting for one.
    private struct Host {
        var idle: [HTTP1Connection] = []
        var open = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<HTTP1Connection?, any Error>)] = []
    }

    private let group: any EventLoopGroup
    private let hosts = Mutex([UpstreamURL.HostKey: Host]())
    private let waiterIDs = Atomic<UInt64>(0)
    let connectTimeout: TimeAmount
    let idleTimeout: TimeAmount
    /// Open connections allowed per host (AsyncHTTPClient's soft limit was 512 too).
    let maxConnectionsPerHost: Int

    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60), maxConnectionsPerHost: Int = 512
    ) {
        self.group = group
        self.connectTimeout = TimeAmount(connectTimeout)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.maxConnectionsPerHost = max(1, maxConnectionsPerHost)
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
        var connection = try await acquire(url, preferring: preferred, deadline: deadline)
        if connection.reused {
            do {
                return try await exchange(on: connection.value, head: head, body: body, deadline: deadline)
            } catch HTTP1ExchangeHandler.Failure.connectionClosed(beforeResponse: true) {
                // The server closed the idle connection as the request went out: once more on a new one.
                connection = try await acquire(url, preferring: preferred, deadline: deadline, reuse: false)
            }
        }
        return try await exchange(on: connection.value, head: head, body: body, deadline: deadline)
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

    /// An idle connection (`reused`), or a new one when the host is below its limit, or the next one
    /// that comes back when it is not.
    private func acquire(_ url: UpstreamURL, preferring eventLoop: (any EventLoop)?, deadline: NIODeadline, reuse: Bool = true)
        async throws -> (value: HTTP1Connection, reused: Bool)
    {
        let key = url.hostKey
        enum Grant { case idle(HTTP1Connection), connect, wait(UInt64) }
        let grant = withHost(key) { host -> Grant in
            // An idle connection on this event loop; else a new one on it while the host has room
            // (another loop's idle connection would cost two thread hops on every request that
            // takes it); else any idle one rather than a wait.
            if reuse, let index = host.idle.lastIndex(where: { eventLoop == nil || $0.channel.eventLoop === eventLoop }) {
                return .idle(host.idle.remove(at: index))
            }
            if host.open < maxConnectionsPerHost {
                host.open += 1
                return .connect
            }
            if reuse, !host.idle.isEmpty { return .idle(host.idle.removeLast()) }
            return .wait(waiterIDs.add(1, ordering: .relaxed).newValue)
        }
        switch grant {
        case .idle(let connection):
            return (connection, true)
        case .connect:
            return (try await connect(to: url, on: eventLoop ?? group.next(), deadline: deadline), false)
        case .wait(let id):
            if let handedOver = try await wait(id, key: key, deadline: deadline) { return (handedOver, true) }
            return (try await connect(to: url, on: eventLoop ?? group.next(), deadline: deadline), false)
        }
    }

    /// Waits for a connection handed over by `release` (non-nil), or for room to open one (nil).
    private func wait(_ id: UInt64, key: UpstreamURL.HostKey, deadline: NIODeadline) async throws -> HTTP1Connection? {
        let timer = group.next().scheduleTask(deadline: deadline) { [weak self] in
            self?.abandonWaiter(id, key: key, with: HTTP1ExchangeHandler.Failure.deadlineExceeded)
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Re-checked under the lock: a connection may have come back, or the deadline or a
                // cancellation may have passed, since `acquire` decided to wait.
                let outcome = withHost(key) { host -> Result<HTTP1Connection?, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if NIODeadline.now() >= deadline { return .failure(HTTP1ExchangeHandler.Failure.deadlineExceeded) }
                    if !host.idle.isEmpty { return .success(host.idle.removeLast()) }
                    if host.open < maxConnectionsPerHost {
                        host.open += 1
                        return .success(nil)
                    }
                    host.waiters.append((id, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            abandonWaiter(id, key: key, with: CancellationError())
        }
    }

    private func abandonWaiter(_ id: UInt64, key: UpstreamURL.HostKey, with error: any Error) {
        let waiter = withHost(key) { host -> CheckedContinuation<HTTP1Connection?, any Error>? in
            guard let index = host.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return host.waiters.remove(at: index).continuation
        }
        waiter?.resume(throwing: error)
    }

    private func connect(to url: UpstreamURL, on eventLoop: any EventLoop, deadline: NIODeadline) async throws -> HTTP1Connection {
        let key = url.hostKey
        do {
            let remaining = deadline - .now()
            guard remaining > .zero else { throw HTTP1ExchangeHandler.Failure.deadlineExceeded }
            let connection = try await HTTP1Connection.connect(
                to: url, on: eventLoop, connectTimeout: min(connectTimeout, remaining), idleTimeout: idleTimeout,
                onReusable: { [weak self] connection in self?.release(connection, key: key) })
            connection.channel.closeFuture.whenComplete { [weak self] _ in self?.closed(connection, key: key) }
            return connection
        } catch {
            closed(nil, key: key)
            throw error
        }
    }

    /// An exchange ended and the connection can carry another: to the first waiter, else idle.
    private func release(_ connection: HTTP1Connection, key: UpstreamURL.HostKey) {
        let waiter = withHost(key) { host -> CheckedContinuation<HTTP1Connection?, any Error>? in
            guard !host.waiters.isEmpty else {
                host.idle.append(connection)
                return nil
            }
            return host.waiters.removeFirst().continuation
        }
        waiter?.resume(returning: connection)
    }

    /// A connection closed (or failed to open): its slot goes to the first waiter, if any.
    private func closed(_ connection: HTTP1Connection?, key: UpstreamURL.HostKey) {
        let waiter = withHost(key) { host -> CheckedContinuation<HTTP1Connection?, any Error>? in
            if let connection { host.idle.removeAll { $0 === connection } }
            host.open -= 1
            guard !host.waiters.isEmpty else { return nil }
            host.open += 1
            return host.waiters.removeFirst().continuation
        }
        waiter?.resume(returning: nil)
    }

    /// Closes every idle connection (at shutdown).
    public func closeIdle() {
        let all = hosts.withLock { hosts in hosts.values.flatMap(\.idle) }
        for connection in all { connection.channel.close(promise: nil) }
    }

    /// Runs `body` on a host's state in place (no copy of its connection lists), under the lock.
    private func withHost<Result>(_ key: UpstreamURL.HostKey, _ body: (inout Host) -> Result) -> Result {
        hosts.withLock { hosts in body(&hosts[key, default: Host()]) }
    }
}

/// A response body read from an `HTTP1Connection`; its silence limit is the connection's own timer.
///
/// `@unchecked Sendable`: the iterator is only advanced by one task at a time (see `UpstreamBodyReader`).
final class HTTP1Body: UpstreamBodyStream, @unchecked Sendable {
    private var iterator: HTTP1ResponseBody.AsyncIterator?
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
        try await iterator?.next()
    }

    /// Dropping the iterator terminates the body stream: the exchange closes its connection.
    func cancel() {
        iterator = nil
    }

    func next(silenceLimit: Duration) async throws -> ByteBuffer? {
        let (handler, exchange, limit) = (self.handler, self.exchange, TimeAmount(silenceLimit))
        if eventLoop.inEventLoop {
            handler.value.awaitingChunk(exchange: exchange, limit: limit)
        } else {
            eventLoop.execute { handler.value.awaitingChunk(exchange: exchange, limit: limit) }
        }
        return try await iterator?.next()
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
