import NIOCore

/// SUBSCRIBE on a connection of its own (a subscribed connection can do nothing else), kept
/// alive for as long as `run` runs: when it drops, it reconnects with backoff and subscribes
/// again, then calls `onSubscribed` — messages published meanwhile were missed, so the caller
/// resynchronises there (it is also called after the first subscription).
package struct RedisSubscriber: Sendable {
    package let endpoint: RedisEndpoint
    package let group: any EventLoopGroup
    package let options: RedisClient.Options

    package init(endpoint: RedisEndpoint, group: any EventLoopGroup, options: RedisClient.Options = RedisClient.Options()) {
        self.endpoint = endpoint
        self.group = group
        self.options = options
    }

    /// Runs until the task is cancelled.
    package func run(
        channels: [String], onMessage: @escaping @Sendable (_ channel: String, _ payload: [UInt8]) -> Void,
        onSubscribed: @escaping @Sendable () async -> Void, onFailure: @escaping @Sendable (RedisError) -> Void = { _ in }
    ) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await RedisConnection.connect(to: endpoint, on: group, timeout: options.connectTimeout, onMessage: onMessage)
                // One SUBSCRIBE per channel: each is confirmed by one reply, ["subscribe", channel, count].
                let replies = try await connection.send(channels.map { RESPCommand("SUBSCRIBE", $0) }, timeout: options.commandTimeout)
                for case .error(let message) in replies { throw RedisError.server(message) }
                failures = 0
                await onSubscribed()
                try await withTaskCancellationHandler {
                    try await connection.channel.closeFuture.get()
                } onCancel: {
                    connection.close()
                }
            } catch let error as RedisError {
                onFailure(error)
            } catch {
                onFailure(.connectionClosed("\(type(of: error))"))
            }
            guard !Task.isCancelled else { return }
            try? await Task.sleep(for: RedisClient.backoff(failures: failures, options: options))
            failures += 1
        }
    }
}
