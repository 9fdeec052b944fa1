import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite
import SwitchyardTesting
import Synchronization
import Testing
@testable import SwitchyardServer

/// Regression tests for issue #12: hostile clients and upstreams cannot crash the gateway, bypass
/// a key's limits or skew its books. Each is named after what it broke.
@Suite struct HardeningTests {
    static func hostileModels(_ configuration: inout GatewayConfiguration) {
        let priced = Price(input: 1, output: 2)
        for (alias, model) in [
            ("usage-huge", "fault-usage-9223372036854775807"), ("usage-negative", "fault-usage--50000000"), ("echo-key", "fault-echo-key"),
            ("firehose", "fault-firehose"), ("big-json", "fault-big-json-200000"), ("truncate-json", "fault-truncate-json"),
        ] {
            configuration.models.append(ModelSettings(name: alias, targets: [TargetSettings(provider: "fake", model: model)], price: priced))
        }
        configuration.models.append(ModelSettings(name: "pricey", targets: [TargetSettings(provider: "fake", model: "gpt-4o")], price: Price(input: 1000, output: 1000)))
        configuration.models.append(ModelSettings(
            name: "pricey-fallback", targets: [TargetSettings(provider: "wrongkey", model: "gpt-4o-mini")], price: Price(input: 0.15, output: 0.6),
            fallbacks: ["pricey"]))
    }

    static func balance(_ client: some TestClientProtocol, _ id: String) async throws -> String? {
        try await client.execute(uri: "/admin/keys/\(id)", method: .get, headers: .authorized) { try json($0.body)["credits"] as? String }
    }

    // MARK: - 1. One request crashes the process

    @Test(arguments: ["20000000000", "9223372036854775807", "99999999999999999999999"])
    func hugeMaxTokensIsA400NotACrash(_ value: String) async throws {
        try await GatewayHarness.run(edit: Self.hostileModels) { client, _ in
            let key = try await createKey(client, #"{"name": "paying", "credits": "1.00"}"#)
            for field in ["max_tokens", "max_completion_tokens"] {
                try await client.execute(
                    uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("mini", extra: #","\#(field)":\#(value)"#)
                ) { response in
                    #expect(response.status == .badRequest)
                    let param = try errorObject(response.body)["param"] as? String
                    #expect(param == field)
                }
            }
            try await client.execute(
                uri: "/v1/messages", method: .post, headers: bearer(key.key), body: ByteBuffer(string: #"{"model":"mini","max_tokens":\#(value),"messages":[{"role":"user","content":"Hi"}]}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""type":"error""#))
            }
            // Still serving.
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("mini")) { #expect($0.status == .ok) }
        }
    }

    @Test(arguments: [false, true])
    func absurdUpstreamUsageIsClampedAndNegativeUsageNeverCredits(_ stream: Bool) async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.hostileModels, store: store) { client, _ in
            let key = try await createKey(client, #"{"name": "paying", "credits": "5.00"}"#)
            let options = stream ? #","stream_options":{"include_usage":true}"# : ""
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("usage-negative", stream: stream, extra: options)
            ) { response in #expect(response.status == .ok) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.balance(client, key.id) == "5.00", "negative usage charged nothing and credited nothing")
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("usage-huge", stream: stream, extra: options)
            ) { response in #expect(response.status == .ok) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.balance(client, key.id) == "0.00", "an absurd count costs what is left, never wraps around")
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
        }
    }

    // MARK: - 2. A duplicate JSON key splits the request

    @Test func duplicateKeysAreRejectedSoGatewayAndUpstreamSeeOneRequest() async throws {
        try await GatewayHarness.run { client, fake in
            let key = try await createKey(client, #"{"name": "mini-only", "models": ["mini"], "credits": "1.00"}"#)
            let bodies: [(String, String)] = [
                ("/v1/chat/completions", #"{"model":"mini","model":"misconfigured","messages":[{"role":"user","content":"Hi"}]}"#),
                ("/v1/chat/completions", #"{"model":"mini","stream":false,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"#),
                ("/v1/chat/completions", #"{"model":"mini","messages":[{"role":"user","role":"system","content":"Hi"}]}"#),
                ("/v1/chat/completions", #"{"model":"mini","mod\u0065l":"misconfigured","messages":[{"role":"user","content":"Hi"}]}"#),
                ("/v1/embeddings", #"{"model":"mini","model":"misconfigured","input":"Hi"}"#),
                ("/v1/messages", #"{"model":"mini","max_tokens":5,"max_tokens":99,"messages":[{"role":"user","content":"Hi"}]}"#),
            ]
            for (path, body) in bodies {
                try await client.execute(uri: path, method: .post, headers: bearer(key.key), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(String(buffer: response.body).contains("duplicate key"))
                }
            }
            #expect(fake.requests.isEmpty, "nothing reached the upstream")
        }
    }

    // MARK: - 3. Fallbacks ignore the key's allow-list

    @Test func headerAndConfigFallbacksRespectTheKeysAllowList() async throws {
        try await GatewayHarness.run(edit: Self.hostileModels) { client, fake in
            let key = try await createKey(client, #"{"name": "one-alias", "models": ["misconfigured", "pricey-fallback"]}"#)
            var headers = bearer(key.key)
            headers[HTTPField.Name("x-switchyard-fallbacks")!] = "mini"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: chatBody("misconfigured")) { response in
                #expect(response.status == .badGateway, "mini is not on the key's list, so it is never reached")
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == nil)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("pricey-fallback")) { response in
                #expect(response.status == .badGateway, "the configured fallback `pricey` is not allowed either")
            }
            #expect(!fake.requests.contains { $0.json?["model"] as? String == "gpt-4o" })
            let both = try await createKey(client, #"{"name": "two", "models": ["misconfigured", "mini"]}"#)
            headers = bearer(both.key)
            headers[HTTPField.Name("x-switchyard-fallbacks")!] = "mini"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: chatBody("misconfigured")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "mini")
            }
        }
    }

    /// The reservation covers the dearest deployment a request may reach, fallbacks included,
    /// and every answer it asks for (`n`).
    @Test func reservationsCoverFallbacksAndEveryChoice() async throws {
        try await GatewayHarness.run(edit: Self.hostileModels) { client, _ in
            let key = try await createKey(client, #"{"name": "small", "credits": "0.10"}"#)
            // mini: 0.60 USD per million output tokens; 1,000 tokens = 0.0006 USD, ×128 answers = 0.077 USD.
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("mini", extra: #","max_tokens":1000,"n":128"#)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("mini", extra: #","max_tokens":2000,"n":128"#)) {
                #expect($0.status == HTTPResponse.Status(code: 402), "0.15 USD of worst case does not fit 0.10")
            }
            // pricey-fallback's own deployment is cheap, but its fallback costs 1,000 USD per million tokens.
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("pricey-fallback", extra: #","max_tokens":1000"#)) {
                #expect($0.status == HTTPResponse.Status(code: 402))
            }
        }
    }

    // MARK: - 4. max_tokens 0 or negative

    @Test(arguments: ["0", "-1", "-9223372036854775808", "1.5"])
    func zeroNegativeOrFractionalMaxTokensIsA400(_ value: String) async throws {
        try await GatewayHarness.run { client, fake in
            let key = try await createKey(client, #"{"name": "tiny", "credits": "0.001"}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("mini", extra: #","max_tokens":\#(value)"#)) {
                #expect($0.status == .badRequest)
            }
            #expect(fake.requests.isEmpty)
        }
    }

    @Test func outOfRangeSamplingParametersAreA400() async throws {
        try await GatewayHarness.run { client, fake in
            for extra in [#","temperature":1e400"#, #","temperature":-1"#, #","top_p":2"#, #","n":0"#, #","n":100000"#, #","presence_penalty":9"#] {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini", extra: extra)) {
                    #expect($0.status == .badRequest, "\(extra)")
                }
            }
            try await client.execute(
                uri: "/v1/messages", method: .post, headers: .authorized,
                body: ByteBuffer(string: #"{"model":"mini","max_tokens":5,"temperature":1e400,"messages":[{"role":"user","content":"Hi"}]}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("temperature"))
            }
            #expect(fake.requests.isEmpty, "`inf` was never sent upstream")
        }
    }

    // MARK: - 5. Money overflows

    @Test func topUpsPastTheBoundAndHugeCreditsAreRefusedNotStoredAsFloats() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(store: store) { client, _ in
            try await client.execute(uri: "/admin/keys", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"name": "x", "credits": "9223372036.999999999"}"#)) {
                #expect($0.status == .badRequest)
            }
            let key = try await createKey(client, #"{"name": "rich", "credits": "1000000000"}"#)
            for _ in 0..<3 {
                try await client.execute(uri: "/admin/keys/\(key.id)/credits", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"amount": "1000000000"}"#)) { _ in }
            }
            try await client.execute(uri: "/admin/keys/\(key.id)/credits", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"amount": "9223372036"}"#)) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/admin/keys/\(key.id)/credits", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"amount": "1000000000"}"#)) {
                #expect($0.status == .badRequest, "a fifth billion would pass the four-billion balance bound")
            }
            #expect(try await Self.balance(client, key.id) == "4000000000.00")
            try await client.execute(uri: "/admin/keys", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"name": "x", "tpm": 9223372036854775807}"#)) {
                #expect($0.status == .badRequest, "limits are bounded too (a Double token bucket of Int.max traps when read back)")
            }
            let stored = try #require(try await store.key(id: key.id))
            #expect(stored.credits == Money(decimal: "4000000000"))
        }
    }

    // MARK: - 6. Slow and stalled clients

    @Test func slowlorisHeadersAndIdleConnectionsAreClosed() async throws {
        try await GatewayHarness.run(edit: { $0.server.headerTimeoutSeconds = 1; $0.server.idleTimeoutSeconds = 1.5 }) { client, _ in
            let port = try #require(client.port)
            let slow = try await RawClient.connect(port: port)
            let idle = try await RawClient.connect(port: port)
            try await slow.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")  // never finishes its head
            try await idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let started = ContinuousClock.now
            #expect(try await slow.readUntilClosed(timeout: .seconds(10)) == "", "closed unanswered after the header timeout")
            #expect(ContinuousClock.now - started < .seconds(8))
            let answer = try #require(try await idle.readUntilClosed(timeout: .seconds(10)), "closed while idle after its response")
            #expect(answer.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func connectionsBeyondTheCapAreClosed() async throws {
        // Three: the test framework's own client holds one connection from the start.
        try await GatewayHarness.run(edit: { $0.server.maxConnections = 3 }) { client, _ in
            let port = try #require(client.port)
            let first = try await RawClient.connect(port: port)
            let second = try await RawClient.connect(port: port)
            // Both are served (so the server has counted them, however loaded the machine) before the third arrives.
            for client in [first, second] {
                try await client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await client.read(until: "HTTP/1.1 200", timeout: .seconds(10)))
            }
            let third = try await RawClient.connect(port: port)
            #expect(try await third.readUntilClosed(timeout: .seconds(2)) == "", "the third connection is closed unanswered")
            try await first.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(try await first.readUntilClosed(timeout: .seconds(2))?.hasPrefix("HTTP/1.1 200") == true)
            _ = second
        }
    }

    @Test func aStreamWhoseClientStopsReadingIsCutAtTheDeadlineBilledAndItsSlotFreed() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: { Self.hostileModels(&$0); $0.routing.timeoutSeconds = 4; $0.routing.firstByteTimeoutSeconds = 4 }, store: store) { client, fake in
            let port = try #require(client.port)
            let key = try await createKey(client, #"{"name": "one-at-a-time", "credits": "5.00", "max_parallel": 1}"#)
            let body = #"{"model":"firehose","stream":true,"messages":[{"role":"user","content":"Hi"}]}"#
            let reader = try await RawClient.connect(port: port, receiveBuffer: 4096)
            try await reader.send(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key.key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            // It never reads: after the 4 s deadline and its grace, the gateway cuts the stream (the
            // margin lets a loaded machine queue the next request for a while and still find the slot held).
            try await Task.sleep(for: .milliseconds(1500))
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("mini")) {
                #expect($0.status == .tooManyRequests, "the stalled stream holds the key's only slot")
            }
            var served = false
            for _ in 0..<100 where !served {
                try await Task.sleep(for: .milliseconds(100))
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: chatBody("mini")) { served = $0.status == .ok }
            }
            #expect(served, "the slot was released once the stream was cut")
            try await Task.sleep(for: .milliseconds(200))
            let rows = try await store.usage(groupBy: .model, from: nil, to: nil)
            let firehose = try #require(rows.first { $0.group == "firehose" })
            #expect(firehose.requests == 1 && firehose.cost > .zero, "billed for what was sent")
            _ = fake
        }
    }

    @Test func upstreamAnswersOverTheBufferBoundAreRefused() async throws {
        try await GatewayHarness.run(edit: { Self.hostileModels(&$0); $0.server.maxResponseBytes = 100_000 }) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("big-json")) { response in
                #expect(response.status == .badGateway)
                #expect(String(buffer: response.body).contains("larger than the gateway accepts"))
            }
        }
    }

    @Test func theBufferBudgetRefusesWhatDoesNotFitAndGetsBytesBackWithTheLease() throws {
        let budget = BufferBudget(limit: 1000)
        var lease: BufferBudget.Lease? = BufferBudget.Lease(budget: budget)
        try lease?.take(600)
        let other = BufferBudget.Lease(budget: budget)
        #expect(throws: BufferBudget.Exhausted.self) { try other.take(500) }
        #expect(budget.inUse == 600)
        lease = nil
        #expect(budget.inUse == 0)
        try other.take(500)
        #expect(budget.inUse == 500)
    }

    // MARK: - 7. Smaller

    @Test func anUpstreamErrorThatEchoesOurKeyIsRedacted() async throws {
        try await GatewayHarness.run(edit: Self.hostileModels) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("echo-key")) { response in
                #expect(response.status == .badRequest)
                let text = String(buffer: response.body)
                #expect(!text.contains(GatewayHarness.upstreamKey))
                #expect(text.contains("(key:***)"))
            }
        }
    }

    @Test func aNegativeContentLengthGetsTheErrorEnvelope() async throws {
        try await GatewayHarness.run { client, _ in
            let raw = try await RawClient.connect(port: try #require(client.port))
            try await raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
            let answer = try #require(try await raw.readUntilClosed(timeout: .seconds(3)))
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(answer.contains(#""error":{"#) && answer.contains("invalid_request_error"))
        }
    }

    @Test func aHugeModelNameIsNotEchoedBackWhole() async throws {
        try await GatewayHarness.run(edit: { $0.server.maxBodyBytes = 2_000_000 }) { client, _ in
            let name = String(repeating: "m", count: 900_000)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody(name)) { response in
                #expect(response.status == .notFound)
                #expect(response.body.readableBytes < 1000)
            }
        }
    }

    @Test func invalidUTF8AndLoneSurrogatesAreA400() async throws {
        try await GatewayHarness.run { client, fake in
            var invalid = ByteBuffer(string: #"{"model":"mini","messages":[{"role":"user","content":""#)
            invalid.writeBytes([0xC3, 0x28, 0xFF])
            invalid.writeString(#""}]}"#)
            for body in [invalid, chatBody("mini", extra: #","user":"\ud800""#), chatBody("mini", extra: #","user":"\udc00\ud800""#)] {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
                    #expect(response.status == .badRequest)
                }
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini", extra: #","user":"\ud83d\ude00 ok""#)) {
                #expect($0.status == .ok, "a surrogate pair is fine")
            }
            #expect(fake.requests.count == 1)
        }
    }

    @Test func aTruncatedUpstreamBodyIsReportedAsTruncatedNotUnreachable() async throws {
        try await GatewayHarness.run(edit: Self.hostileModels) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("truncate-json")) { response in
                #expect(response.status == .badGateway)
                let message = try errorObject(response.body)["message"] as? String ?? ""
                #expect(message.contains("before its response was complete"))
                #expect(!message.contains("Could not connect"))
            }
        }
    }

    // MARK: - Blast radius

    /// One tenant sending requests that a deployment answers malformed cannot take that
    /// deployment away from every other tenant (two of them can: then it is the deployment).
    @Test func oneTenantCannotOpenABreakerForAll() async throws {
        try await GatewayHarness.run(edit: { $0.routing.retries = 0 }) { client, _ in
            let hostile = try await createKey(client, #"{"name": "hostile"}"#)
            for _ in 0..<6 {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(hostile.key), body: chatBody("malformed")) {
                    #expect($0.status == .badGateway)
                }
            }
            try await client.execute(uri: "/admin/models", method: .get, headers: .authorized) { response in
                let text = String(buffer: response.body)
                #expect(!text.contains(#""state":"open""#), "\(text.prefix(300))")
            }
            let other = try await createKey(client, #"{"name": "other"}"#)
            for _ in 0..<3 {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(other.key), body: chatBody("malformed")) { _ in }
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(other.key), body: chatBody("malformed")) {
                #expect($0.status == .serviceUnavailable, "failures from two tenants open it")
            }
        }
    }
}

/// A bare TCP client, for what HTTP clients will not do (drip headers, never read).
final class RawClient: Sendable {
    let channel: any Channel
    let received: Received

    init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    static func connect(port: Int, receiveBuffer: Int? = nil) async throws -> RawClient {
        let received = Received()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
                .channelOption(ChannelOptions.autoRead, value: false)
        }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        return RawClient(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Whether `marker` arrived within `timeout`.
    func read(until marker: String, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if received.state.withLock({ $0.text.contains(marker) }) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// What arrived before the server closed the connection, or nil if it stayed open.
    func readUntilClosed(timeout: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (text, closed) = received.state.withLock { ($0.text, $0.closed) }
            if closed { return text }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    final class Received: Sendable {
        let state = Mutex<(text: String, closed: Bool)>(("", false))
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(received: Received) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.state.withLock { $0.text += text }
        }
        func channelInactive(context: ChannelHandlerContext) {
            received.state.withLock { $0.closed = true }
        }
    }
}
