import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP server that answers HTTP/1.1 requests as a script says, to test the upstream client's
/// connection handling (reuse, stale connections, abandoned bodies, silence) byte for byte.
final class ScriptedHTTPServer: Sendable {
    /// What to do with the `request`-th request (0-based) on the `connection`-th connection.
    enum Action: Sendable {
        case respond(String)
        case respondAfter(TimeAmount, String)
        case closeWithoutAnswer
        case silence
    }

    private let channel: any Channel
    private let box: CountsBox
    var port: Int { channel.localAddress?.port ?? 0 }

    init(script: @escaping @Sendable (_ connection: Int, _ request: Int) -> Action) async throws {
        let box = CountsBox()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                let index = box.nextConnection()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(connection: index, script: script, box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.box = box
    }

    var connectionCount: Int { box.snapshot.connections }
    /// The request bodies received, in order.
    var bodies: [String] { box.bodies }
    var requestCount: Int { box.snapshot.requests }

    func close() async throws {
        try await channel.close()
    }

    final class CountsBox: Sendable {
        private let state = Mutex((connections: 0, requests: 0))
        private let received = Mutex<[String]>([])
        func nextConnection() -> Int { state.withLock { $0.connections += 1; return $0.connections - 1 } }
        func countRequest(body: String) {
            state.withLock { $0.requests += 1 }
            received.withLock { $0.append(body) }
        }
        var bodies: [String] { received.withLock { $0 } }
        var snapshot: (connections: Int, requests: Int) { state.withLock { $0 } }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let connection: Int
        let script: @Sendable (Int, Int) -> Action
        let box: CountsBox
        var buffered = ""
        var served = 0

        init(connection: Int, script: @escaping @Sendable (Int, Int) -> Action, box: CountsBox) {
            self.connection = connection
            self.script = script
            self.box = box
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            buffered += String(buffer: unwrapInboundIn(data))
            while let end = buffered.range(of: "\r\n\r\n") {
                let head = buffered[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                let bodyStart = end.upperBound
                guard buffered.utf8.distance(from: bodyStart, to: buffered.endIndex) >= length else { return }
                let bodyEnd = buffered.utf8.index(bodyStart, offsetBy: length)
                box.countRequest(body: String(buffered[bodyStart..<bodyEnd]))
                buffered = String(buffered[bodyEnd...])
                defer { served += 1 }
                switch script(connection, served) {
                case .respond(let text): context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                case .respondAfter(let delay, let text):
                    let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                    context.eventLoop.scheduleTask(in: delay) {
                        bound.value.writeAndFlush(NIOAny(ByteBuffer(string: text)), promise: nil)
                    }
                case .closeWithoutAnswer: context.close(promise: nil); return
                case .silence: return
                }
            }
        }
    }

    /// A complete keep-alive JSON response.
    static func json(_ body: String) -> String {
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
    }
}
