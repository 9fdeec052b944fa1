import NIOCore
import NIOPosix
import NIOSSL

/// One connection to Redis, logged in (AUTH) and on its database (SELECT). Any number of calls
/// may be in flight on it at once: their commands are pipelined and their replies come back in order.
package final class RedisConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects and logs in; `onMessage` makes it a subscriber connection (pub/sub pushes).
    package static func connect(
        to endpoint: RedisEndpoint, on group: any EventLoopGroup, timeout: TimeAmount,
        onMessage: (@Sendable (_ channel: String, _ payload: [UInt8]) -> Void)? = nil
    ) async throws(RedisError) -> RedisConnection {
        let channel: any Channel
        do {
            let tls = try endpoint.tls ? NIOSSLContext(configuration: .makeClientConfiguration()) : nil
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: endpoint.host))
                        }
                        try channel.pipeline.syncOperations.addHandler(RESPChannelHandler(onMessage: onMessage))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw .connectionClosed("cannot connect to \(endpoint.host):\(endpoint.port) (\(type(of: error)))")
        }
        let connection = RedisConnection(channel: channel)
        var handshake: [RESPCommand] = []
        if let password = endpoint.password {
            handshake.append(RESPCommand([Array("AUTH".utf8)] + (endpoint.username.map { [Array($0.utf8)] } ?? []) + [Array(password.utf8)]))
        }
        if endpoint.database != 0 { handshake.append(RESPCommand("SELECT", String(endpoint.database))) }
        do throws(RedisError) {
            for reply in try await connection.send(handshake, timeout: timeout) {
                // The server's message, not ours: it never echoes the password.
                if case .error(let message) = reply { throw RedisError.server(message) }
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Sends `commands` in one write and returns their replies (error replies included, as values).
    /// Past `timeout` the connection is closed: replies are ordered, so a late one cannot be skipped.
    package func send(_ commands: [RESPCommand], timeout: TimeAmount) async throws(RedisError) -> [RESPValue] {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(RedisError.timeout)
            channel.close(promise: nil)
        }
        channel.writeAndFlush(RESPRequest(commands: commands, promise: promise), promise: nil)
        do {
            let replies = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            timer.cancel()
            return replies
        } catch let error as RedisError {
            timer.cancel()
            throw error
        } catch {
            timer.cancel()
            throw .connectionClosed("\(type(of: error))")
        }
    }

    package var isActive: Bool { channel.isActive }

    package func close() {
        channel.close(promise: nil)
    }
}
