import NIOCore

/// Commands sent together and the promise of their replies, in order.
struct RESPRequest: Sendable {
    let commands: [RESPCommand]
    let promise: EventLoopPromise<[RESPValue]>
}

/// RESP over one channel: encodes each request's commands, hands replies back in order to the
/// request that is owed them (so any number of requests may be in flight: pipelining). Pushed
/// pub/sub messages go to `onMessage`. Any protocol failure fails every waiting request and
/// closes the channel; so does the channel closing.
final class RESPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RESPRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        let expected: Int
        var replies: [RESPValue]
        let promise: EventLoopPromise<[RESPValue]>
    }

    private var parser = RESPParser()
    private var waiting = CircularBuffer<Waiting>()
    private var closedReason: String?
    /// Pub/sub pushes: `message` and `pmessage` arrays (subscriber connections only).
    private let onMessage: (@Sendable (_ channel: String, _ payload: [UInt8]) -> Void)?

    init(onMessage: (@Sendable (_ channel: String, _ payload: [UInt8]) -> Void)? = nil) {
        self.onMessage = onMessage
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closedReason {
            request.promise.fail(RedisError.connectionClosed(closedReason))
            promise?.fail(RedisError.connectionClosed(closedReason))
            return
        }
        guard !request.commands.isEmpty else {
            request.promise.succeed([])
            promise?.succeed()
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64 * request.commands.count)
        for command in request.commands { buffer.writeBytes(command.encoded) }
        waiting.append(Waiting(expected: request.commands.count, replies: [], promise: request.promise))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let values: [RESPValue]
        do {
            values = try parser.feed(buffer.readableBytesView)
        } catch {
            failAll("malformed reply (\(error))", context: context)
            return
        }
        for value in values {
            if let onMessage, let push = Self.message(value) {
                onMessage(push.channel, push.payload)
                continue
            }
            guard !waiting.isEmpty else {
                failAll("a reply nobody asked for", context: context)
                return
            }
            waiting[waiting.startIndex].replies.append(value)
            if waiting[waiting.startIndex].replies.count == waiting[waiting.startIndex].expected {
                let done = waiting.removeFirst()
                done.promise.succeed(done.replies)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll("the connection closed", context: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll("\(error)", context: context)
    }

    private func failAll(_ reason: String, context: ChannelHandlerContext?) {
        if closedReason == nil { closedReason = reason }
        while let next = waiting.popFirst() { next.promise.fail(RedisError.connectionClosed(reason)) }
        context?.close(promise: nil)
    }

    /// `["message", channel, payload]` or `["pmessage", pattern, channel, payload]`.
    private static func message(_ value: RESPValue) -> (channel: String, payload: [UInt8])? {
        guard let items = value.elements, let kind = items.first?.string else { return nil }
        if kind == "message", items.count == 3, let channel = items[1].string, case .bulkString(let payload?) = items[2] {
            return (channel, payload)
        }
        if kind == "pmessage", items.count == 4, let channel = items[2].string, case .bulkString(let payload?) = items[3] {
            return (channel, payload)
        }
        return nil
    }
}
