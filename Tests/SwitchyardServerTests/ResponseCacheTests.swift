import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardRouting
import SwitchyardStoreSQLite
import SwitchyardTesting
import Testing
@testable import SwitchyardServer

/// The response cache's pure parts.
@Suite struct ResponseCachePartsTests {
    @Test func theLRUEvictsByBytesOldestFirstAndExpiresEntries() {
        var lru = ByteBoundedLRU<String>(maxBytes: 100)
        lru.insert("a", bytes: 40, for: "a", expiresAt: 10)
        lru.insert("b", bytes: 40, for: "b", expiresAt: 10)
        #expect(lru.value(for: "a", now: 0) == "a", "reading a makes it the most recent")
        lru.insert("c", bytes: 40, for: "c", expiresAt: 10)
        #expect(lru.value(for: "b", now: 0) == nil, "b was the least recent: evicted to fit c")
        #expect(lru.value(for: "a", now: 0) == "a" && lru.value(for: "c", now: 0) == "c")
        #expect(lru.bytes == 80 && lru.count == 2)
        lru.insert("huge", bytes: 101, for: "huge", expiresAt: 10)
        #expect(lru.value(for: "huge", now: 0) == nil && lru.count == 2, "larger than the bound: not stored, nothing evicted")
        #expect(lru.value(for: "a", now: 10) == nil, "expired at its time")
        #expect(lru.bytes == 40)
        lru.insert("c2", bytes: 10, for: "c", expiresAt: 20)
        #expect(lru.value(for: "c", now: 11) == "c2" && lru.bytes == 10, "a key stored again replaces its entry")
    }

    @Test func thePolicyFollowsTemperatureAndTheClientsDirectives() {
        var settings = CacheSettings()
        settings.ttlSeconds = 600
        #expect(CachePolicy.decide(nil, temperature: 0, cacheControl: nil, ttlHeader: nil) == nil)
        #expect(CachePolicy.decide(settings, temperature: 0, cacheControl: nil, ttlHeader: nil) == .use(lookup: true, store: true, ttlSeconds: 600))
        #expect(CachePolicy.decide(settings, temperature: nil, cacheControl: nil, ttlHeader: nil) == .bypass, "unset: the provider's default is above 0")
        #expect(CachePolicy.decide(settings, temperature: 0.7, cacheControl: nil, ttlHeader: nil) == .bypass)
        settings.nondeterministic = true
        #expect(CachePolicy.decide(settings, temperature: 0.7, cacheControl: nil, ttlHeader: nil) == .use(lookup: true, store: true, ttlSeconds: 600))
        #expect(CachePolicy.decide(settings, temperature: 0, cacheControl: "No-Cache", ttlHeader: nil) == .use(lookup: false, store: true, ttlSeconds: 600))
        #expect(CachePolicy.decide(settings, temperature: 0, cacheControl: "max-age=0, no-store", ttlHeader: nil) == .use(lookup: true, store: false, ttlSeconds: 600))
        #expect(CachePolicy.decide(settings, temperature: 0, cacheControl: "no-cache, no-store", ttlHeader: nil) == .bypass)
        #expect(CachePolicy.decide(settings, temperature: 0, cacheControl: nil, ttlHeader: "5") == .use(lookup: true, store: true, ttlSeconds: 5))
        #expect(CachePolicy.decide(settings, temperature: 0, cacheControl: nil, ttlHeader: "99999") == .use(lookup: true, store: true, ttlSeconds: 600),
            "the header shortens, never lengthens")
        #expect(CachePolicy.decide(settings, temperature: 0, cacheControl: nil, ttlHeader: "nan") == .use(lookup: true, store: true, ttlSeconds: 600))
    }

    @Test func keysIgnoreOrderModelAndStreamButNotContentScopeOrFormat() throws {
        let a = try JSONValue.parse(Array(#"{"model":"x","stream":true,"temperature":0,"messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let b = try JSONValue.parse(Array(#"{"messages":[{"content":"hi","role":"user"}],"temperature":0,"model":"y"}"#.utf8))
        let c = try JSONValue.parse(Array(#"{"messages":[{"content":"hi!","role":"user"}],"temperature":0}"#.utf8))
        let key = CachePolicy.key(format: "openai-chat", alias: "m", scope: "key:k1", body: a)
        #expect(key == CachePolicy.key(format: "openai-chat", alias: "m", scope: "key:k1", body: b))
        #expect(key != CachePolicy.key(format: "openai-chat", alias: "m", scope: "key:k1", body: c))
        #expect(key != CachePolicy.key(format: "openai-chat", alias: "m", scope: "key:k2", body: a))
        #expect(key != CachePolicy.key(format: "openai-chat", alias: "other", scope: "key:k1", body: a))
        #expect(key != CachePolicy.key(format: "anthropic-messages", alias: "m", scope: "key:k1", body: a))
        #expect(key.count == 64)
        let team = VirtualKey(id: "k1", name: "a", keyHash: "h", keyPrefix: "p", createdAt: 0, metadata: ["team": "red"])
        #expect(CachePolicy.scope(.team, principal: .key(team)) == "team:red")
        #expect(CachePolicy.scope(.key, principal: .key(team)) == "key:k1")
        #expect(CachePolicy.scope(.team, principal: .master) == "key:master")
        #expect(CachePolicy.scope(.global, principal: .key(team)) == "global")
    }

    @Test func theSemanticIndexFindsNearDuplicatesWithinItsPartitionAndStaysBounded() {
        // Vectors sharing a strong common direction, as mean-pooled embeddings do.
        var generator = SplitMix64(seed: 42)
        func vector() -> [Float] {
            var v = (0..<64).map { index in Float(index % 3 == 0 ? 3 : 1) + Float(Double(generator.next() >> 11) / Double(1 << 53) - 0.5) }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for index in v.indices { v[index] /= norm }
            return v
        }
        var index = SemanticIndex(maxEntries: 3000)
        var stored: [[Float]] = []
        for item in 0..<4000 {
            let v = vector()
            stored.append(v)
            index.insert(v, partition: item % 2 == 0 ? "a" : "b", key: "k\(item)")
        }
        #expect(index.count == 3000, "bounded: the oldest went first")
        var near = stored[3998]
        near[5] += 0.002
        let found = index.nearest(to: near, partition: "a", threshold: 0.999)
        #expect(found?.key == "k3998" && (found?.similarity ?? 0) > 0.999)
        #expect(index.nearest(to: near, partition: "b", threshold: 0.999) == nil, "another partition's prompt is never served")
        #expect(index.nearest(to: stored[10], partition: "a", threshold: 0.9999)?.key != "k10", "evicted")
        #expect(index.nearest(to: near, partition: "nope", threshold: 0.5) == nil)
    }

    @Test func aReplayedStreamAddsUpToTheStoredAnswer() {
        let answer = ChatResponse(
            id: "r1", model: "m", created: 0, text: "Switchyard routes every request to the right model, quickly and cheaply.",
            reasoning: [.thinking("Thinking it over first.", signature: "sig-1")], toolCalls: [ToolCall(id: "call_1", name: "lookup", arguments: #"{"query":"switchyard gateway"}"#)],
            finishReason: .toolCalls, usage: Usage(promptTokens: 12, completionTokens: 30))
        let events = CacheReplay.events(answer)
        #expect(events.filter { if case .text = $0 { return true } else { return false } }.count > 3, "text comes in natural pieces")
        var accumulator = AnswerAccumulator()
        accumulator.add(events)
        #expect(accumulator.answer == answer)
        #expect(CachedAnswer(json: CachedAnswer(response: answer, provider: "p", upstreamModel: "m").json)?.response == answer, "as Redis keeps it")
        #expect(CacheReplay.chunks("héllo wörld 🌍 done").joined() == "héllo wörld 🌍 done")
        accumulator.add([.error(.upstreamTimeout("p"))])
        #expect(accumulator.answer == nil, "a stream that failed is not stored")
    }
}

/// The response cache through the gateway.
@Suite struct ResponseCacheTests {
    static func edit(_ configuration: inout GatewayConfiguration) {
        var cache = CacheSettings()
        cache.ttlSeconds = 60
        var cached = ModelSettings(name: "cached", targets: [TargetSettings(provider: "fake", model: "gpt-4o-mini")], price: Price(input: 0.15, output: 0.60))
        cached.cache = cache
        configuration.models.append(cached)
        cache.charge = true
        var charged = cached
        charged.name = "cached-charged"
        charged.cache = cache
        configuration.models.append(charged)
        var claude = ModelSettings(name: "cached-claude", targets: [TargetSettings(provider: "anthropic", model: "claude-sonnet-4-5")], price: Price(input: 3, output: 15))
        claude.cache = CacheSettings()
        configuration.models.append(claude)
        var failing = ModelSettings(name: "cached-failing", targets: [TargetSettings(provider: "fake", model: "fault-500_server_error")], price: Price(input: 1, output: 1))
        failing.cache = CacheSettings()
        configuration.models.append(failing)
    }

    static func body(_ model: String, stream: Bool = false, temperature: String = "0") -> ByteBuffer {
        chatBody(model, stream: stream, extra: temperature.isEmpty ? "" : #","temperature":\#(temperature)"#)
    }

    static let cacheHeader = HTTPField.Name("x-switchyard-cache")!

    func post(_ client: some TestClientProtocol, _ body: ByteBuffer, headers: HTTPFields = .authorized, uri: String = "/v1/chat/completions")
        async throws -> (status: Int, cache: String?, body: String)
    {
        try await client.execute(uri: uri, method: .post, headers: headers, body: body) { response in
            (Int(response.status.code), response.headers[Self.cacheHeader], String(buffer: response.body))
        }
    }

    @Test func aRepeatedRequestIsServedFromTheCacheInEitherShapeWithoutAnUpstreamCall() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, fake in
            let first = try await post(client, Self.body("cached"))
            #expect(first.status == 200 && first.cache == "miss")
            let calls = fake.requests.count
            let second = try await post(client, Self.body("cached"))
            #expect(second.cache == "hit")
            #expect(fake.requests.count == calls, "no upstream call for a hit")
            let firstMessage = try json(ByteBuffer(string: first.body))["choices"] as? [[String: Any]]
            let secondMessage = try json(ByteBuffer(string: second.body))["choices"] as? [[String: Any]]
            #expect((firstMessage?.first?["message"] as? [String: Any])?["content"] as? String
                == (secondMessage?.first?["message"] as? [String: Any])?["content"] as? String)
            // The stored JSON answer replayed as a stream, and a stored stream as JSON.
            let streamed = try await post(client, Self.body("cached", stream: true))
            #expect(streamed.cache == "hit" && streamed.body.hasPrefix("data: {") && streamed.body.hasSuffix("data: [DONE]\n\n"))
            let fresh = try await post(client, Self.body("cached", stream: true, temperature: "0.0"), headers: {
                var headers = HTTPFields.authorized
                headers[.cacheControl] = "no-cache"
                return headers
            }())
            #expect(fresh.cache == "bypass" && fresh.body.hasSuffix("data: [DONE]\n\n"))
            #expect(fake.requests.count == calls + 1, "no-cache went upstream")
            // A hit is a ledger row: the stored usage, no cost, marked.
            _ = try await ledgerRequests(store, model: "cached", count: 4)
            let rows = try await store.ledger(LedgerQuery(model: "cached"))
            #expect(rows.filter(\.cacheHit).count == 2)
            #expect(rows.filter(\.cacheHit).allSatisfy { $0.cost == .zero && $0.promptTokens > 0 && $0.saved > .zero })
            // The usage API reports the hits and what they saved: the price of the tokens served.
            try await client.execute(uri: "/admin/usage?group_by=model", method: .get, headers: .authorized) { response in
                let row = (try json(response.body)["data"] as? [[String: Any]])?.first { $0["group"] as? String == "cached" }
                #expect(row?["cache_hits"] as? Int == 2)
                // Both hits replayed the first (JSON) answer: each saved what it cost.
                let miss = try #require(rows.first { !$0.cacheHit && !$0.stream })
                #expect(row?["saved_usd"] as? String == Money(nanos: 2 * miss.cost.nanos).description, "two hits saved what the stored answer cost, twice")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"switchyard_cache_requests_total{model="cached",result="hit"} 2"#))
                #expect(text.contains(#"switchyard_cache_saved_usd_total{model="cached"}"#))
            }
        }
    }

    @Test func keysNeverSeeEachOthersAnswersAndNondeterministicRequestsBypass() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, fake in
            let a = try await createKey(client, #"{"name": "a"}"#)
            let b = try await createKey(client, #"{"name": "b"}"#)
            #expect(try await post(client, Self.body("cached"), headers: bearer(a.key)).cache == "miss")
            #expect(try await post(client, Self.body("cached"), headers: bearer(a.key)).cache == "hit")
            let before = fake.requests.count
            #expect(try await post(client, Self.body("cached"), headers: bearer(b.key)).cache == "miss", "key B is not served key A's answer")
            #expect(fake.requests.count == before + 1)
            #expect(try await post(client, Self.body("cached", temperature: "")).cache == "bypass", "no temperature: nondeterministic")
            #expect(try await post(client, Self.body("cached", temperature: "0.8")).cache == "bypass")
        }
    }

    @Test func errorsAreNotCachedAndTheTTLHeaderShortensAnEntrysLife() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, fake in
            let failed = try await post(client, Self.body("cached-failing"))
            #expect(failed.status == 502 && failed.cache == nil)
            let again = try await post(client, Self.body("cached-failing"))
            #expect(again.status >= 500 && again.cache == nil, "a failure is never stored, so never served from the cache")
            var short = HTTPFields.authorized
            short[HTTPField.Name("x-switchyard-cache-ttl")!] = "2"
            let body = chatBody("cached", extra: #","temperature":0,"seed":7"#)
            #expect(try await post(client, body, headers: short).cache == "miss")
            #expect(try await post(client, body).cache == "hit")
            try await Task.sleep(for: .milliseconds(2500))
            #expect(try await post(client, body).cache == "miss", "expired after the requested 2 s, not the alias's 60")
        }
    }

    @Test func anthropicClientsGetHitsAsMessagesAndEvents() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, fake in
            var headers = HTTPFields.authorized
            headers[HTTPField.Name("anthropic-version")!] = "2023-06-01"
            let json = ByteBuffer(string: #"{"model":"cached-claude","max_tokens":100,"temperature":0,"messages":[{"role":"user","content":"hi"}]}"#)
            let stream = ByteBuffer(string: #"{"model":"cached-claude","max_tokens":100,"temperature":0,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
            let first = try await post(client, stream, headers: headers, uri: "/v1/messages")
            #expect(first.cache == "miss" && first.body.contains("event: message_stop"))
            let calls = fake.requests.count
            let hit = try await post(client, json, headers: headers, uri: "/v1/messages")
            #expect(hit.cache == "hit" && fake.requests.count == calls, "a stored stream answers the same request as JSON")
            let message = try JSON.object(hit.body)
            #expect(message["type"] as? String == "message" && (message["content"] as? [[String: Any]])?.isEmpty == false)
            let replayed = try await post(client, stream, headers: headers, uri: "/v1/messages")
            #expect(replayed.cache == "hit" && replayed.body.contains("event: message_start") && replayed.body.contains("event: message_stop"))
        }
    }

    /// `/v1/responses`: a native upstream's stream is kept as it passes; hits come back as a
    /// `Response` or its events with an id of their own, kept so the next turn can name it; a
    /// turn of a conversation is keyed by the whole conversation; a chat deployment's answers too.
    @Test func responsesClientsGetHitsAsResponsesAndEventsAndCanContinueFromThem() async throws {
        let edit: @Sendable (inout GatewayConfiguration) -> Void = { configuration in
            Self.edit(&configuration)
            ResponsesTests.native(&configuration)
            var native = ModelSettings(name: "cached-native", targets: [TargetSettings(provider: "openai", model: "gpt-5.4")], price: Price(input: 1, output: 4))
            native.cache = CacheSettings()
            configuration.models.append(native)
        }
        try await GatewayHarness.run(edit: edit) { client, fake in
            let ask = #"{"model":"cached-native","input":"Hello","temperature":0"#
            let first = try await post(client, ByteBuffer(string: ask + #","stream":true}"#), uri: "/v1/responses")
            #expect(first.cache == "miss" && first.body.contains("event: response.completed"))
            let calls = fake.requests.count
            let hit = try await post(client, ByteBuffer(string: ask + "}"), uri: "/v1/responses")
            #expect(hit.cache == "hit" && fake.requests.count == calls, "a stored stream answers the same request as JSON")
            let object = try JSON.object(hit.body)
            let id = try #require(object["id"] as? String)
            #expect(object["object"] as? String == "response" && object["status"] as? String == "completed")
            #expect(id.hasPrefix("resp_") && id != FakeUpstream.responsesFixtureID, "a hit is a response of its own")
            let output = try #require(object["output"] as? [[String: Any]])
            #expect(((output.first?["content"] as? [[String: Any]])?.first?["text"] as? String) == "Hi there! How can I assist you today?")
            let replayed = try await post(client, ByteBuffer(string: ask + #","stream":true}"#), uri: "/v1/responses")
            let events = try sseEvents(ByteBuffer(string: replayed.body))
            #expect(replayed.cache == "hit" && events.first?.name == "response.created" && events.last?.name == "response.completed")
            #expect(events.filter { $0.name == "response.output_text.delta" }.compactMap { $0.data["delta"] as? String }.joined()
                == "Hi there! How can I assist you today?")
            // The hit was kept: the next turn names it, and the upstream gets the whole conversation.
            let next = try await post(
                client, ByteBuffer(string: #"{"model":"cached-native","input":"And then?","temperature":0,"previous_response_id":"\#(id)"}"#),
                uri: "/v1/responses")
            #expect(next.status == 200 && next.cache == "miss")
            let input = try #require(fake.requests.last?.json?["input"] as? [[String: Any]])
            #expect(input.count == 3, "the first question, the cached answer, the new question")
            let again = try await post(
                client, ByteBuffer(string: #"{"model":"cached-native","input":"And then?","temperature":0,"previous_response_id":"\#(id)"}"#),
                uri: "/v1/responses")
            #expect(again.cache == "hit", "the same turn of the same conversation")
            // A chat deployment behind /v1/responses.
            #expect(try await post(client, ByteBuffer(string: #"{"model":"cached","input":"Hello","temperature":0}"#), uri: "/v1/responses").cache == "miss")
            #expect(try await post(client, ByteBuffer(string: #"{"model":"cached","input":"Hello","temperature":0}"#), uri: "/v1/responses").cache == "hit")
        }
    }

    @Test func aChargedCacheBillsTheFullPrice() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, _ in
            let key = try await createKey(client, #"{"name": "payer", "credits": "1.00"}"#)
            #expect(try await post(client, Self.body("cached-charged"), headers: bearer(key.key)).cache == "miss")
            let hit = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key.key), body: Self.body("cached-charged")) {
                ($0.headers[Self.cacheHeader], $0.headers[HTTPField.Name("x-switchyard-cost-usd")!])
            }
            #expect(hit.0 == "hit")
            let rows = try await ledgerRows(store, model: "cached-charged", count: 2)
            #expect(rows.count == 2 && rows[0].cost == rows[1].cost && rows[0].cost > .zero, "a charged hit costs what the miss did")
            #expect(hit.1 == rows[0].cost.description)
        }
    }

    func ledgerRows(_ store: SQLiteAccountStore, model: String, count: Int) async throws -> [LedgerEntry] {
        _ = try await ledgerRequests(store, model: model, count: count)
        return try await store.ledger(LedgerQuery(model: model))
    }
}

enum JSON {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

import Logging
import NIOPosix
import SwitchyardRedis

/// Every `ResponseCacheStore` keeps what it is given, for as long as it is told: in memory and
/// in Redis alike.
@Suite struct ResponseCacheStoreConformance {
    static let answer = CachedAnswer(
        response: ChatResponse(
            id: "chatcmpl-1", model: "gpt-4o-mini", created: 0, text: "Cached ✓", reasoning: [.text("because")],
            toolCalls: [ToolCall(id: "call_1", name: "f", arguments: #"{"a":1}"#)], finishReason: .toolCalls, stopSequence: nil,
            usage: Usage(promptTokens: 19, completionTokens: 10, cachedPromptTokens: 3, reasoningTokens: 2)),
        provider: "fake", upstreamModel: "gpt-4o-mini")

    static func check(_ store: any ResponseCacheStore) async throws {
        #expect(await store.answer(for: "absent") == nil)
        await store.store(Self.answer, for: "k1", ttlSeconds: 60)
        #expect(await store.answer(for: "k1") == Self.answer, "an entry round-trips whole")
        var other = Self.answer
        other.response.text = "replaced"
        await store.store(other, for: "k1", ttlSeconds: 60)
        #expect(await store.answer(for: "k1")?.response.text == "replaced")
        await store.store(Self.answer, for: "short", ttlSeconds: 2)
        #expect(await store.answer(for: "short") != nil)
        try await Task.sleep(for: .milliseconds(2500))
        #expect(await store.answer(for: "short") == nil, "gone after its TTL")
        #expect(await store.answer(for: "k1") != nil)
    }

    @Test func inMemory() async throws {
        try await Self.check(MemoryResponseCache(maxBytes: 1 << 20) { Date().timeIntervalSince1970 })
    }

    @Test(.enabled(if: RedisServerProcess.isAvailable, "needs redis-server (scripts/test.sh installs it)"))
    func inRedis() async throws {
        let server = try await RedisServerProcess.launch()
        defer { server.stop() }
        // The whole test process shares two cores: timeouts generous (a timeout would read as a miss).
        var options = RedisClient.Options()
        options.commandTimeout = .seconds(10)
        options.connectTimeout = .seconds(5)
        let client = RedisClient(
            endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port, password: server.password), group: MultiThreadedEventLoopGroup.singleton,
            options: options)
        defer { client.close() }
        try await Self.check(RedisResponseCache(client: client, logger: Logger(label: "test")))
        #expect(CachedAnswer(json: Array(#"{"v":2}"#.utf8)) == nil, "an entry of another version is a miss")
    }

    @Test func aRedisThatIsDownIsAMissNotAFailure() async {
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: 1, password: nil), group: MultiThreadedEventLoopGroup.singleton)
        defer { client.close() }
        let store = RedisResponseCache(client: client, logger: Logger(label: "test"))
        await store.store(Self.answer, for: "k", ttlSeconds: 60)
        #expect(await store.answer(for: "k") == nil)
    }
}

/// The semantic cache and Anthropic breakpoints through the gateway.
@Suite struct SemanticCacheAndAutoCacheTests {
    static func edit(_ configuration: inout GatewayConfiguration) {
        var cache = CacheSettings()
        var semantic = SemanticCacheSettings()
        semantic.threshold = 0.97
        cache.semantic = semantic
        var similar = ModelSettings(name: "similar", targets: [TargetSettings(provider: "fake", model: "gpt-4o-mini")], price: Price(input: 0.15, output: 0.6))
        similar.cache = cache
        configuration.models.append(similar)
        var claude = ModelSettings(name: "claude-auto", targets: [TargetSettings(provider: "anthropic", model: "claude-sonnet-4-5")], price: Price(input: 3, output: 15))
        claude.anthropicAutoCache = true
        configuration.models.append(claude)
    }

    func ask(_ client: some TestClientProtocol, _ question: String, extra: String = "") async throws -> (cache: String?, similarity: String?) {
        let body = ByteBuffer(string: #"{"model":"similar","temperature":0,"messages":[{"role":"user","content":"\#(question)"}]\#(extra)}"#)
        return try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
            #expect(response.status == .ok)
            return (response.headers[HTTPField.Name("x-switchyard-cache")!], response.headers[HTTPField.Name("x-switchyard-cache-similarity")!])
        }
    }

    @Test func aSimilarSingleTurnPromptIsServedTheStoredAnswer() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, fake in
            #expect(try await ask(client, "What is the capital city of France?").cache == "miss")
            let calls = fake.requests.count
            let near = try await ask(client, "what is the capital city of france")
            #expect(near.cache == "semantic", "the same question, cased and punctuated differently")
            #expect((Double(near.similarity ?? "") ?? 0) >= 0.97)
            #expect(fake.requests.count == calls)
            #expect(try await ask(client, "Explain how photosynthesis turns light into sugar, step by step.").cache == "miss")
            let tools = #","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]"#
            #expect(try await ask(client, "what is the capital city of france", extra: tools).cache == "miss", "prompts with tools match exactly only")
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"switchyard_cache_requests_total{model="similar",result="semantic"} 1"#))
            }
        }
    }

    @Test func anthropicDeploymentsGetBreakpointsWhenTheClientSetNone() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, fake in
            let tools = #","tools":[{"type":"function","function":{"name":"a","parameters":{"type":"object"}}},{"type":"function","function":{"name":"b","parameters":{"type":"object"}}}]"#
            let body = ByteBuffer(string: #"{"model":"claude-auto","messages":[{"role":"system","content":"Long house rules."},{"role":"user","content":"hi"}]\#(tools)}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { #expect($0.status == .ok) }
            let sent = try #require(fake.requests.last?.json)
            let sentTools = try #require(sent["tools"] as? [[String: Any]])
            #expect(sentTools.last?["cache_control"] as? [String: String] == ["type": "ephemeral"] && sentTools.first?["cache_control"] == nil)
            let system = try #require(sent["system"] as? [[String: Any]])
            #expect(system.last?["cache_control"] as? [String: String] == ["type": "ephemeral"] && system.last?["text"] as? String == "Long house rules.")

            var headers = HTTPFields.authorized
            headers[HTTPField.Name("anthropic-version")!] = "2023-06-01"
            let own = ByteBuffer(string: #"{"model":"claude-auto","max_tokens":50,"system":[{"type":"text","text":"Rules.","cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages":[{"role":"user","content":"hi"}]}"#)
            try await client.execute(uri: "/v1/messages", method: .post, headers: headers, body: own) { #expect($0.status == .ok) }
            let passed = try #require(fake.requests.last?.json?["system"] as? [[String: Any]])
            #expect((passed.first?["cache_control"] as? [String: String])?["ttl"] == "1h", "a client's own breakpoints are left alone")
            let plain = ByteBuffer(string: #"{"model":"claude-auto","max_tokens":50,"system":"Rules.","messages":[{"role":"user","content":"hi"}]}"#)
            try await client.execute(uri: "/v1/messages", method: .post, headers: headers, body: plain) { #expect($0.status == .ok) }
            #expect(((fake.requests.last?.json?["system"] as? [[String: Any]])?.first?["cache_control"]) != nil, "passthrough bodies get them too")
        }
    }
}
