import Crypto
import NIOCore
import Synchronization

/// A small pool of pipelined connections to one Redis, shared by every task of the process.
///
/// Calls are spread round-robin over `poolSize` connections, each carrying any number of calls
/// at once. A connection that dies is replaced on the next call; when connecting fails, that slot
/// backs off (doubling from `RedisClient.Options.backoff` up to `maxBackoff`) and calls during the
/// pause fail at once with `.unavailable` — a request waiting on a dead Redis helps nobody.
package final class RedisClient: Sendable {
    package struct Options: Sendable {
        package var poolSize = 2
        package var connectTimeout: TimeAmount = .seconds(1)
        package var commandTimeout: TimeAmount = .seconds(2)
        package var backoff: Duration = .milliseconds(100)
        package var maxBackoff: Duration = .seconds(2)
        package init() {}
    }

    private enum Slot {
        case idle(failures: Int, retryAt: ContinuousClock.Instant?)
        case connecting(Task<RedisConnection, any Error>, failures: Int)
        case connected(RedisConnection)
    }

    package let endpoint: RedisEndpoint
    package let options: Options
    private let group: any EventLoopGroup
    private let slots: Mutex<[Slot]>
    private let next = Atomic<Int>(0)

    package init(endpoint: RedisEndpoint, group: any EventLoopGroup, options: Options = Options()) {
        self.endpoint = endpoint
        self.group = group
        self.options = options
        self.slots = Mutex(Array(repeating: .idle(failures: 0, retryAt: nil), count: max(1, options.poolSize)))
    }

    /// Sends `commands` pipelined on one connection; replies in order (error replies as values).
    package func send(_ commands: [RESPCommand]) async throws(RedisError) -> [RESPValue] {
        let connection = try await connection()
        return try await connection.send(commands, timeout: options.commandTimeout)
    }

    /// Sends one command; an error reply is thrown.
    @discardableResult
    package func send(_ command: RESPCommand) async throws(RedisError) -> RESPValue {
        let reply = try await send([command]).first ?? .array(nil)
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// Runs `script` by its SHA1 (EVALSHA), loading it (EVAL) when the server does not know it
    /// yet — after a restart or a SCRIPT FLUSH.
    package func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RESPValue {
        let tail = [Array(String(keys.count).utf8)] + keys.map { Array($0.utf8) } + arguments.map { Array($0.utf8) }
        let reply = try await send([RESPCommand([Array("EVALSHA".utf8), Array(script.sha1.utf8)] + tail)]).first ?? .array(nil)
        if case .error(let message) = reply {
            guard message.hasPrefix("NOSCRIPT") else { throw .server(message) }
            return try await send(RESPCommand([Array("EVAL".utf8), Array(script.source.utf8)] + tail))
        }
        return reply
    }

    /// Closes every connection (calls after this reconnect).
    package func close() {
        let open = slots.withLock { slots -> [RedisConnection] in
            defer { slots = slots.map { _ in .idle(failures: 0, retryAt: nil) } }
            return slots.compactMap { if case .connected(let connection) = $0 { connection } else { nil } }
        }
        for connection in open { connection.close() }
    }

    private enum Step {
        case use(RedisConnection)
        case wait(Task<RedisConnection, any Error>)
        case backingOff
    }

    private func connection() async throws(RedisError) -> RedisConnection {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue.magnitude % UInt(slots.withLock { $0.count })
        let slot = Int(index)
        let now = ContinuousClock.now
        let step = slots.withLock { slots -> Step in
            switch slots[slot] {
            case .connected(let connection) where connection.isActive:
                return .use(connection)
            case .connecting(let task, _):
                return .wait(task)
            case .idle(_, let retryAt?) where retryAt > now:
                return .backingOff
            case .idle(let failures, _):
                let task = makeConnectTask(slot: slot)
                slots[slot] = .connecting(task, failures: failures)
                return .wait(task)
            case .connected:
                let task = makeConnectTask(slot: slot)
                slots[slot] = .connecting(task, failures: 0)
                return .wait(task)
            }
        }
        switch step {
        case .use(let connection):
            return connection
        case .backingOff:
            throw .unavailable("reconnecting to \(endpoint.host):\(endpoint.port) after a failure")
        case .wait(let task):
            do {
                return try await task.value
            } catch let error as RedisError {
                throw error
            } catch {
                throw .connectionClosed("\(type(of: error))")
            }
        }
    }

    private func makeConnectTask(slot: Int) -> Task<RedisConnection, any Error> {
        let endpoint = self.endpoint
        let group = self.group
        let options = self.options
        return Task { [weak self] in
            do {
                let connection = try await RedisConnection.connect(to: endpoint, on: group, timeout: options.connectTimeout)
                self?.slots.withLock { $0[slot] = .connected(connection) }
                return connection
            } catch {
                self?.slots.withLock { slots in
                    guard case .connecting(_, let failures) = slots[slot] else { return }
                    let delay = RedisClient.backoff(failures: failures, options: options)
                    slots[slot] = .idle(failures: failures + 1, retryAt: .now + delay)
                }
                throw error
            }
        }
    }

    /// The pause after `failures` failed attempts in a row (the first retry is immediate-ish).
    static func backoff(failures: Int, options: Options) -> Duration {
        var delay = options.backoff
        for _ in 0..<min(failures, 16) where delay < options.maxBackoff { delay *= 2 }
        return min(delay, options.maxBackoff)
    }
}

/// A Lua script, run by its SHA1 (`RedisClient.run`).
package struct RedisScript: Sendable {
    package let source: String
    package let sha1: String

    package init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }
}
