import Foundation
import NIOCore
import NIOPosix
import SwitchyardTesting
import Testing
@testable import SwitchyardRedis

/// The client against a real `redis-server` (started per test, on its own port).
@Suite(.enabled(if: RedisServerProcess.isAvailable, "needs redis-server (scripts/test.sh installs it)"))
struct RedisClientTests {
    static func client(_ server: RedisServerProcess, password: String? = nil, database: Int = 0, configure: (inout RedisClient.Options) -> Void = { _ in })
        -> RedisClient
    {
        var options = RedisClient.Options()
        options.backoff = .milliseconds(20)
        options.maxBackoff = .milliseconds(200)
        // The whole test process shares two cores: generous, except where a timeout is the subject.
        options.commandTimeout = .seconds(10)
        options.connectTimeout = .seconds(5)
        configure(&options)
        let endpoint = RedisEndpoint(host: "127.0.0.1", port: server.port, password: password ?? server.password, database: database)
        return RedisClient(endpoint: endpoint, group: Self.loops, options: options)
    }

    /// Event loops of their own: the other suites' servers keep the shared ones busy.
    static let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    @Test func concurrentCallsArePipelinedAndEachGetsItsOwnReply() async throws {
        let server = try await RedisServerProcess.launch()
        let client = Self.client(server)
        defer { client.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                group.addTask {
                    let reply = try await client.send(RESPCommand("SET", "k\(index)", "v\(index)"))
                    #expect(reply == .simpleString("OK"))
                    #expect(try await client.send(RESPCommand("INCR", "counter")).int != nil)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await client.send(RESPCommand("GET", "counter")).int == 500)
        let replies = try await client.send((0..<500).map { RESPCommand("GET", "k\($0)") })
        #expect(replies.map(\.string) == (0..<500).map { "v\($0)" })
    }

    @Test func logsInAndSelectsItsDatabaseWithoutEverShowingThePassword() async throws {
        let server = try await RedisServerProcess.launch(password: "s3cret-pw")
        let zero = Self.client(server)
        let five = Self.client(server, database: 5)
        defer { zero.close(); five.close() }
        try await five.send(RESPCommand("SET", "where", "five"))
        #expect(try await zero.send(RESPCommand("GET", "where")) == .bulkString(nil))
        #expect(try await five.send(RESPCommand("GET", "where")).string == "five")

        let wrong = Self.client(server, password: "not-the-password")
        defer { wrong.close() }
        do {
            try await wrong.send(RESPCommand("PING"))
            Issue.record("a wrong password was accepted")
        } catch {
            #expect("\(error)".contains("WRONGPASS") || "\(error)".contains("invalid"))
            #expect(!"\(error)".contains("not-the-password"))
        }
        let endpoint = try RedisEndpoint(url: "redis://:s3cret-pw@127.0.0.1:\(server.port)/5")
        #expect(!endpoint.description.contains("s3cret"))
    }

    @Test func aScriptRunsByItsHashAndIsLoadedAgainAfterAFlush() async throws {
        let server = try await RedisServerProcess.launch()
        let client = Self.client(server)
        defer { client.close() }
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(try await client.run(script, keys: ["n"], arguments: ["2"]).int == 2)
        #expect(try await client.send(RESPCommand("SCRIPT", "EXISTS", script.sha1)).elements == [.integer(1)])
        try await client.send(RESPCommand("SCRIPT", "FLUSH"))
        #expect(try await client.run(script, keys: ["n"], arguments: ["3"]).int == 5)
        do {
            _ = try await client.run(RedisScript("return redis.call('NOSUCHCOMMAND')"), keys: [], arguments: [])
            Issue.record("a failing script did not throw")
        } catch {
            guard case .server = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func aCallPastItsTimeoutFailsAndTheNextCallReconnects() async throws {
        let server = try await RedisServerProcess.launch()
        let client = Self.client(server) { $0.commandTimeout = .milliseconds(200); $0.poolSize = 1 }
        defer { client.close() }
        let started = ContinuousClock.now
        await #expect(throws: RedisError.timeout) { try await client.send(RESPCommand("BLPOP", "nothing", "30")) }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try await client.send(RESPCommand("PING")) == .simpleString("PONG"))
    }

    @Test func whenRedisGoesAwayCallsFailFastAndWorkAgainOnceItIsBack() async throws {
        let server = try await RedisServerProcess.launch()
        // Timeouts far beyond the bound below: a call that waited for one would fail the test, while a
        // loaded machine's scheduling delays (seconds on CI's two cores) would not.
        let client = Self.client(server) {
            $0.poolSize = 1
            $0.commandTimeout = .seconds(30)
            $0.connectTimeout = .seconds(30)
        }
        defer { client.close() }
        try await client.send(RESPCommand("SET", "a", "1"))
        await server.crash()
        for _ in 0..<5 {
            let started = ContinuousClock.now
            await #expect(throws: RedisError.self) { try await client.send(RESPCommand("PING")) }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
        try await server.restart()
        var back = false
        for _ in 0..<100 where !back {
            back = (try? await client.send(RESPCommand("PING"))) == .simpleString("PONG")
            if !back { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(back)
    }

    @Test func aSubscriberGetsMessagesAndResubscribesAfterRedisRestarts() async throws {
        let server = try await RedisServerProcess.launch()
        // Timeouts generous: the whole suite starting at once can hold a reply up for seconds.
        let client = Self.client(server) { $0.commandTimeout = .seconds(30) }
        defer { client.close() }
        var options = RedisClient.Options()
        options.backoff = .milliseconds(20)
        options.commandTimeout = .seconds(30)
        let subscriber = RedisSubscriber(endpoint: client.endpoint, group: Self.loops, options: options)
        let (events, continuation) = AsyncStream<String>.makeStream()
        let task = Task {
            await subscriber.run(
                channels: ["keys"], onMessage: { channel, payload in continuation.yield("\(channel):\(String(decoding: payload, as: UTF8.self))") },
                onSubscribed: { continuation.yield("subscribed") })
        }
        defer { task.cancel() }
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == "subscribed")
        #expect(try await client.send(RESPCommand("PUBLISH", "keys", "vk_1")).int == 1)
        #expect(await iterator.next() == "keys:vk_1")

        await server.crash()
        try await server.restart()
        #expect(await iterator.next() == "subscribed")
        var delivered = 0
        for _ in 0..<100 where delivered == 0 {
            delivered = Int((try? await client.send(RESPCommand("PUBLISH", "keys", "vk_2")).int) ?? 0)
            if delivered == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(await iterator.next() == "keys:vk_2")
    }
}

@Suite struct RedisEndpointTests {
    @Test func parsesEveryFormTheConfigAccepts() throws {
        #expect(try RedisEndpoint(url: "redis://127.0.0.1:6379/0") == RedisEndpoint(host: "127.0.0.1"))
        #expect(try RedisEndpoint(url: "redis://cache") == RedisEndpoint(host: "cache"))
        #expect(try RedisEndpoint(url: "rediss://:p%40ss@cache.example:6380/2")
            == RedisEndpoint(host: "cache.example", port: 6380, tls: true, password: "p@ss", database: 2))
        #expect(try RedisEndpoint(url: "redis://app:pw@[::1]:7000/1") == RedisEndpoint(host: "::1", port: 7000, username: "app", password: "pw", database: 1))
        for bad in ["http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/db", "redis://h:1x"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisEndpoint(url: bad) }
        }
    }
}
