import AsyncHTTPClient
import NIOCore
import NIOPosix
import SwitchyardCore
import Testing
@testable import SwitchyardServer

/// The gateway's plain-HTTP upstream client against a scripted server: what it does with connections.
@Suite struct HTTP1ConnectionPoolTests {
    var pool = HTTP1ConnectionPool()

    init() {}

    init(pool: HTTP1ConnectionPool) {
        self.pool = pool
    }

    /// Deadlines here are generous unless a test is about the deadline: the whole suite runs
    /// beside ~300 others on two cores, where a local exchange can wait seconds for a thread.
    func post(_ server: ScriptedHTTPServer, timeout: Duration = .seconds(30)) async throws -> (status: Int, body: String) {
        let request = UpstreamRequest(
            url: "http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [("content-type", "application/json")],
            body: Array(#"{"model":"m"}"#.utf8))
        let transport = HTTPUpstreamTransport(client: .shared, pool: pool)
        let response = try await transport.send(request, timeout: timeout)
        return (response.status, String(buffer: try await response.collect(upTo: 1 << 20)))
    }

    @Test func parsesPlainHTTPURLsOnly() {
        let url = UpstreamURL(plainHTTP: "http://127.0.0.1:8000/v1/chat/completions?api-version=1")
        #expect(url?.host == "127.0.0.1")
        #expect(url?.port == 8000)
        #expect(url?.target == "/v1/chat/completions?api-version=1")
        #expect(UpstreamURL(plainHTTP: "http://[::1]:9/x")?.host == "::1")
        #expect(UpstreamURL(plainHTTP: "http://[::1]:9/x")?.hostHeader == "[::1]:9")
        #expect(UpstreamURL(plainHTTP: "http://ollama/api")?.port == 80)
        #expect(UpstreamURL(plainHTTP: "http://ollama")?.target == "/")
        #expect(UpstreamURL(plainHTTP: "https://api.openai.com/v1") == nil)
        #expect(UpstreamURL(plainHTTP: "http://user@host/") == nil)
        #expect(UpstreamURL(plainHTTP: "http://host:99999/") == nil)
    }

    @Test func sequentialRequestsShareOneKeepAliveConnection() async throws {
        let server = try await ScriptedHTTPServer { _, request in .respond(ScriptedHTTPServer.json(#"{"n":\#(request)}"#)) }
        for expected in 0..<3 {
            let response = try await post(server)
            #expect(response.status == 200)
            #expect(response.body == #"{"n":\#(expected)}"#)
        }
        #expect(server.connectionCount == 1)
        try await server.close()
    }

    @Test func aConnectionTheServerDroppedWhileIdleIsRetriedOnANewOne() async throws {
        // Each connection answers its first request and drops the second without a byte: the
        // client must resend the second on a fresh connection, invisibly to the caller.
        let server = try await ScriptedHTTPServer { _, request in
            request == 0 ? .respond(ScriptedHTTPServer.json(#"{"ok":true}"#)) : .closeWithoutAnswer
        }
        for _ in 0..<3 {
            #expect(try await post(server).status == 200)
        }
        #expect(server.connectionCount == 3)
        #expect(server.requestCount == 5)
        try await server.close()
    }

    @Test func aFreshConnectionClosedBeforeAnswerIsAnError() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .closeWithoutAnswer }
        await #expect(throws: HTTP1ExchangeHandler.Failure.connectionClosed(beforeResponse: true)) {
            _ = try await post(server)
        }
        try await server.close()
    }

    @Test func aSilentServerFailsAtTheDeadline() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .silence }
        await #expect(throws: HTTP1ExchangeHandler.Failure.deadlineExceeded) {
            _ = try await post(server, timeout: .milliseconds(200))
        }
        try await server.close()
    }

    @Test func aBodyDroppedBeforeItsEndClosesTheConnection() async throws {
        // A chunked body that never ends: the reader takes one chunk and drops the body; the
        // connection cannot carry another exchange, so the next request opens a new one.
        let server = try await ScriptedHTTPServer { connection, _ in
            connection == 0
                ? .respond("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n")
                : .respond(ScriptedHTTPServer.json("{}"))
        }
        let transport = HTTPUpstreamTransport(client: .shared, pool: pool)
        let request = UpstreamRequest(url: "http://127.0.0.1:\(server.port)/", headers: [], body: Array("{}".utf8))
        do {
            let response = try await transport.send(request, timeout: .seconds(30))
            let first = try await response.body.next()
            #expect(first.map { String(buffer: $0) } == "hello")
        }
        #expect(try await post(server).status == 200)
        #expect(server.connectionCount == 2)
        try await server.close()
    }

    @Test func requestsBeyondTheHostLimitWaitForAConnection() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .respondAfter(.milliseconds(30), ScriptedHTTPServer.json("{}")) }
        let limited = HTTP1ConnectionPoolTests(pool: HTTP1ConnectionPool(maxConnectionsPerHost: 2))
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 { group.addTask { try await limited.post(server).status } }
            for try await status in group { #expect(status == 200) }
        }
        #expect(server.connectionCount == 2)
        #expect(server.requestCount == 6)
        try await server.close()
    }

    @Test func aWaitingRequestFailsAtItsDeadline() async throws {
        let server = try await ScriptedHTTPServer { _, _ in .silence }
        let limited = HTTP1ConnectionPoolTests(pool: HTTP1ConnectionPool(maxConnectionsPerHost: 1))
        async let hung = try? limited.post(server, timeout: .milliseconds(500))
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: HTTP1ExchangeHandler.Failure.deadlineExceeded) {
            _ = try await limited.post(server, timeout: .milliseconds(100))
        }
        #expect(server.connectionCount == 1, "the second request never got a connection of its own")
        _ = await hung
        try await server.close()
    }

    @Test func aConnectionReusedWhileTheLastBodyIsUnreadStillReads() async throws {
        // 40 chunks and the end arrive in one read: the unread body stops reading at its high
        // watermark, the connection goes back to the pool, and the next exchange must read again.
        let chunks = (0..<40).map { _ in "1\r\nx\r\n" }.joined()
        let server = try await ScriptedHTTPServer { _, request in
            request == 0
                ? .respond("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\(chunks)0\r\n\r\n")
                : .respond(ScriptedHTTPServer.json(#"{"second":true}"#))
        }
        let transport = HTTPUpstreamTransport(client: .shared, pool: pool)
        let request = UpstreamRequest(url: "http://127.0.0.1:\(server.port)/", headers: [], body: Array("{}".utf8))
        let unread = try await transport.send(request, timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await post(server).body == #"{"second":true}"#)
        #expect(server.connectionCount == 1)
        #expect(String(buffer: try await unread.collect(upTo: 1 << 20)) == String(repeating: "x", count: 40))
        try await server.close()
    }

    @Test func responsesWithConnectionCloseAreNotReused() async throws {
        let server = try await ScriptedHTTPServer { _, _ in
            .respond("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}")
        }
        #expect(try await post(server).body == "{}")
        #expect(try await post(server).body == "{}")
        #expect(server.connectionCount == 2)
        try await server.close()
    }

    @Test func theBodyPartsOfOneReadComeAsOneBuffer() async throws {
        // Three SSE events in one write (providers burst them): one buffer for the stream relay, so
        // one write to the client; then the end of the body.
        let server = try await ScriptedHTTPServer { _, _ in
            .respond("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                + "9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n9\r\ndata: 3\n\n\r\n0\r\n\r\n")
        }
        let request = UpstreamRequest(url: "http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [], body: Array("{}".utf8))
        let response = try await HTTPUpstreamTransport(client: .shared, pool: pool).send(request, timeout: .seconds(30))
        let first = try await response.body.next()
        #expect(first.map { String(buffer: $0) } == "data: 1\n\ndata: 2\n\ndata: 3\n\n")
        #expect(try await response.body.next() == nil)
        // The connection went back to the pool at the end of the body and carries the next exchange.
        #expect(try await post(server).status == 200)
        #expect(server.connectionCount == 1)
        try await server.close()
    }

    @Test func aRequestTakesAConnectionOnItsOwnEventLoop() async throws {
        // The gateway's tasks run on NIO's event loops (main.swift makes them the global executor);
        // here a task executor puts each request on a chosen loop of a two-loop group.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        let server = try await ScriptedHTTPServer { _, _ in .respond(ScriptedHTTPServer.json("{}")) }
        func post(on loop: any EventLoop, _ client: HTTP1ConnectionPoolTests) async throws -> Int {
            try await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) { try await client.post(server).status }
        }
        let client = HTTP1ConnectionPoolTests(pool: HTTP1ConnectionPool(group: group))
        #expect(try await post(on: loops[0], client) == 200)
        #expect(try await post(on: loops[1], client) == 200)
        #expect(server.connectionCount == 2)  // the second loop opened its own, not the first's idle one
        for loop in loops + loops { #expect(try await post(on: loop, client) == 200) }
        #expect(server.connectionCount == 2)
        // A host at its limit lends another loop's idle connection rather than making the request wait.
        let limited = HTTP1ConnectionPoolTests(pool: HTTP1ConnectionPool(group: group, maxConnectionsPerHost: 1))
        #expect(try await post(on: loops[0], limited) == 200)
        #expect(try await post(on: loops[1], limited) == 200)
        #expect(server.connectionCount == 3)
        try await server.close()
        try await group.shutdownGracefully()
    }
}

/// Runs a task's jobs on one event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
