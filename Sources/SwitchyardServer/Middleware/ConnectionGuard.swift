import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SwitchyardCore

/// Per-connection limits the HTTP layer does not keep by itself: a connection whose request head
/// has not arrived within `headerTimeout` (of opening, or of the previous response's end) is
/// closed — slowloris clients drip header bytes and never finish — and connections beyond
/// `server.max_connections` are closed as soon as they open.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headerTimeout: TimeAmount
    /// Open client connections, shared by every connection's guard.
    private let connections: BoundedCounter
    /// When the awaited request head is due (made when the handler is added; moved, not
    /// re-scheduled, per request).
    private var headDeadline: LoopDeadline?
    private var counted = false
    private var responded = false

    init(headerTimeout: TimeAmount, connections: BoundedCounter) {
        self.headerTimeout = headerTimeout
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard connections.add(1) else {
            context.close(promise: nil)
            return
        }
        counted = true
        let channel = context.channel
        headDeadline = LoopDeadline(eventLoop: context.eventLoop) { [weak channel] in channel?.close(promise: nil) }
        headDeadline?.set(in: headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headDeadline?.stop()
        headDeadline = nil
        if counted { connections.subtract(1) }
        counted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { headDeadline?.clear() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { headDeadline?.set(in: headerTimeout) }
        context.write(data, promise: promise)
    }

    /// A request the HTTP parser rejects (a negative `Content-Length`, a malformed head) gets a
    /// 400 in OpenAI's error envelope instead of an empty one, and the connection closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !responded else {
            context.fireErrorCaught(error)
            return
        }
        responded = true
        let body = GatewayError.invalidRequest("The HTTP request could not be parsed (\(error)).").openAIBody
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.count)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .badRequest, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
