import NIOCore
import NIOHTTP1

/// The body of a response read by `HTTP1ExchangeHandler`, as the consumer's async sequence sees it.
typealias HTTP1ResponseBody = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, HTTP1BodyDemand
>

/// Carries one request/response exchange at a time over a keep-alive HTTP/1.1 connection: writes the
/// request in one flush, completes the head promise, feeds body parts into an async sequence with
/// back-pressure (reads stop while the consumer is behind) — the parts of one socket read as one
/// buffer, so a burst of SSE events reaches the client in one write — and hands the connection back when the
/// response ended and both sides keep it alive. Every failure fails the exchange and closes the channel.
///
/// Event-loop confined: every method runs on the channel's event loop.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// Why an exchange failed before or while its response arrived.
    enum Failure: Error, Equatable {
        /// The connection closed; `beforeResponse` when not a byte of the response had arrived.
        case connectionClosed(beforeResponse: Bool)
        /// The request's deadline passed.
        case deadlineExceeded
    }

    private enum State {
        case idle
        case awaitingHead(EventLoopPromise<HTTPResponseHead>, HTTP1ResponseBody.Source)
        case streaming(HTTP1ResponseBody.Source)
        case closed
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var consumerWantsMore = true
    private var readHeld = false
    /// Body parts of the socket read in progress, yielded together when the read completes.
    private var unyielded: ByteBuffer?
    private var keepAlive = true
    /// The exchange's deadline, how long the connection may idle in the pool, how long the
    /// upstream may stay silent while the consumer waits (made when the handler is added).
    private var requestDeadline: LoopDeadline?
    private var idleDeadline: LoopDeadline?
    private var silenceDeadline: LoopDeadline?
    /// Numbers exchanges, so a late signal from a finished body never touches the next one.
    private var exchange = 0
    /// Called when an exchange ended cleanly and the connection can carry the next one.
    var onReusable: (() -> Void)?
    let idleTimeout: TimeAmount

    init(idleTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        requestDeadline = LoopDeadline(eventLoop: context.eventLoop) { [weak self] in self?.fail(Failure.deadlineExceeded) }
        idleDeadline = LoopDeadline(eventLoop: context.eventLoop) { [weak self] in
            guard let self, case .idle = self.state else { return }
            self.context?.close(promise: nil)
        }
        silenceDeadline = LoopDeadline(eventLoop: context.eventLoop) { [weak self] in
            // Not while reads are held for a slow consumer: that silence is ours, not the upstream's.
            guard let self, self.consumerWantsMore else { return }
            self.fail(UpstreamBodyReader.SilenceTimeout())
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        requestDeadline?.stop()
        idleDeadline?.stop()
        silenceDeadline?.stop()
    }

    /// Starts an exchange: the head arrives through the returned future, the body through `body`.
    func start(head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline, on eventLoop: any EventLoop, bound: NIOLoopBound<HTTP1ExchangeHandler>)
        -> (EventLoopFuture<HTTPResponseHead>, HTTP1ResponseBody, exchange: Int)
    {
        exchange &+= 1
        let demand = HTTP1BodyDemand(eventLoop: eventLoop, handler: bound, exchange: exchange)
        let producer = HTTP1ResponseBody.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16), finishOnDeinit: false, delegate: demand)
        guard let context, case .idle = state else {
            producer.source.finish(Failure.connectionClosed(beforeResponse: true))
            return (eventLoop.makeFailedFuture(Failure.connectionClosed(beforeResponse: true)), producer.sequence, exchange)
        }
        idleDeadline?.clear()
        let promise = context.eventLoop.makePromise(of: HTTPResponseHead.self)
        state = .awaitingHead(promise, producer.source)
        unyielded = nil
        consumerWantsMore = true
        keepAlive = true
        if readHeld {
            // The previous body's consumer held reads and has not drained yet; this exchange reads anew.
            readHeld = false
            context.read()
        }
        requestDeadline?.set(deadline)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        return (promise.futureResult, producer.sequence, exchange)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead(let promise, let source) = state else { return }
            keepAlive = head.isKeepAlive
            state = .streaming(source)
            promise.succeed(head)
        case .body(let chunk):
            guard case .streaming = state else { return }
            silenceDeadline?.clear()
            unyielded.setOrWriteImmutableBuffer(chunk)
        case .end:
            guard case .streaming(let source) = state else { return }
            yieldUnyielded(to: source)
            requestDeadline?.clear()
            silenceDeadline?.clear()
            state = .idle
            // Back in the pool before the consumer sees the end, so its next request finds it.
            if keepAlive {
                idleDeadline?.set(in: idleTimeout)
                onReusable?()
            } else {
                context.close(promise: nil)
            }
            source.finish()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .streaming(let source) = state { yieldUnyielded(to: source) }
        context.fireChannelReadComplete()
    }

    private func yieldUnyielded(to source: HTTP1ResponseBody.Source) {
        guard let buffer = unyielded else { return }
        unyielded = nil
        if source.yield(buffer) == .stopProducing { consumerWantsMore = false }
    }

    func read(context: ChannelHandlerContext) {
        if consumerWantsMore {
            context.read()
        } else {
            readHeld = true
        }
    }

    /// The consumer drained the buffered chunks: resume reading.
    func resumeReading(exchange: Int) {
        guard exchange == self.exchange else { return }
        consumerWantsMore = true
        if readHeld, let context {
            readHeld = false
            context.read()
        }
    }

    /// The consumer waits for the next chunk: fail the exchange when the upstream sends nothing for `limit`
    /// (a deadline on the event loop, moved per wait, instead of a racing task per chunk).
    func awaitingChunk(exchange: Int, limit: TimeAmount) {
        guard exchange == self.exchange, case .streaming = state else { return }
        silenceDeadline?.set(in: limit)
    }

    /// The consumer dropped the body before its end: the connection cannot carry another exchange.
    func bodyAbandoned(exchange: Int) {
        guard exchange == self.exchange else { return }
        if case .streaming = state { fail(Failure.connectionClosed(beforeResponse: false)) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(Failure.connectionClosed(beforeResponse: { if case .awaitingHead = state { return true } else { return false } }()))
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
    }

    /// Fails the exchange in progress (if any) and closes the connection.
    private func fail(_ error: any Error) {
        unyielded = nil
        requestDeadline?.stop()
        silenceDeadline?.stop()
        idleDeadline?.stop()
        switch state {
        case .awaitingHead(let promise, let source):
            state = .closed
            source.finish(error)
            promise.fail(error)
        case .streaming(let source):
            state = .closed
            source.finish(error)
        case .idle:
            state = .closed
        case .closed:
            return
        }
        context?.close(promise: nil)
    }
}

/// Back-pressure and cancellation from the body's consumer, delivered on the connection's event loop.
struct HTTP1BodyDemand: NIOAsyncSequenceProducerDelegate {
    let eventLoop: any EventLoop
    let handler: NIOLoopBound<HTTP1ExchangeHandler>
    let exchange: Int

    func produceMore() {
        let (handler, exchange) = (self.handler, self.exchange)
        if eventLoop.inEventLoop {
            handler.value.resumeReading(exchange: exchange)
        } else {
            eventLoop.execute { handler.value.resumeReading(exchange: exchange) }
        }
    }

    func didTerminate() {
        let (handler, exchange) = (self.handler, self.exchange)
        eventLoop.execute { handler.value.bodyAbandoned(exchange: exchange) }
    }
}
