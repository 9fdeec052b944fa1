import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection to an upstream host, carrying one exchange at a time.
final class HTTP1Connection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<HTTP1ExchangeHandler>

    private init(channel: any Channel, handler: NIOLoopBound<HTTP1ExchangeHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Opens a connection on `eventLoop`; `onReusable` runs (on that loop) each time an exchange ends
    /// with the connection still good for another.
    static func connect(
        to url: UpstreamURL, on eventLoop: any EventLoop, connectTimeout: TimeAmount, idleTimeout: TimeAmount,
        onReusable: @escaping @Sendable (HTTP1Connection) -> Void
    ) async throws -> HTTP1Connection {
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTP1ExchangeHandler(idleTimeout: idleTimeout))
                }
            }
            .connect(host: url.host, port: url.port).get()
        return try await eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: HTTP1ExchangeHandler.self)
            let connection = HTTP1Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: eventLoop))
            handler.onReusable = { [weak connection] in
                if let connection { onReusable(connection) }
            }
            return connection
        }.get()
    }

    /// Sends the request and waits for the response head; the body follows through the returned stream.
    /// Cancelling the waiting task closes the connection.
    func execute(head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline) async throws -> (HTTPResponseHead, HTTP1Body) {
        let eventLoop = channel.eventLoop
        let handler = self.handler
        let started: EventLoopFuture<(HTTPResponseHead, HTTP1Body)>
        let begin: @Sendable () -> EventLoopFuture<(HTTPResponseHead, HTTP1Body)> = {
            let (head, body, exchange) = handler.value.start(head: head, body: body, deadline: deadline, on: eventLoop, bound: handler)
            let stream = HTTP1Body(body, eventLoop: eventLoop, handler: handler, exchange: exchange)
            return head.map { ($0, stream) }
        }
        started = eventLoop.inEventLoop ? begin() : eventLoop.flatSubmit(begin)
        let channel = self.channel
        return try await withTaskCancellationHandler {
            try await started.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
