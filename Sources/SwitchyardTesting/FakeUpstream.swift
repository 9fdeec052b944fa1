import Foundation
public import Hummingbird
import HummingbirdTLS
public import NIOSSL
import HTTPTypes
import Logging
import NIOCore
import Synchronization
import SwitchyardCore

/// An in-process fake of every provider the gateway speaks to, replaying
/// `Tests/Fixtures/providers` (see `Fixtures`): OpenAI-compatible and Azure OpenAI here, Anthropic, Gemini and
/// Bedrock in the `FakeUpstream+<Provider>.swift` extensions.
///
/// The OpenAI side answers `/v1/chat/completions` (JSON, or SSE when `stream` is true; the tool-call fixtures
/// when the request has `tools`), `/v1/embeddings` and `/v1/models`, records every request, and
/// injects faults chosen by the upstream model name:
/// - `fault-<key>`: the `errors.json` entry `<key>` (e.g. `fault-429_rate_limit`) with its headers;
/// - `fault-stream-error`: `chat_stream_error.sse` (an in-stream error, no `[DONE]`);
/// - `fault-truncate`: the first two text events, then the connection closes;
/// - `fault-slow`: the text stream with `slowEventDelay` between events;
/// - `fault-hang`: headers, then nothing for `stallDuration`;
/// - `fault-status-<code>`: an OpenAI error envelope with that status (e.g. 502, 529);
/// - `fault-reset`: the connection closes before any response;
/// - `fault-reset-after-first-byte`: one text event, then the connection closes;
/// - `fault-slow-first-byte`: headers at once, the first event after `slowFirstByteDelay`, then paced like `fault-slow`;
/// - `fault-stall`: two text events, then nothing for `stallDuration`;
/// - `fault-malformed`: 200 with a body that is not JSON;
/// - `fault-malformed-stream`: one text event, then an event whose data is not JSON;
/// - `fault-content-filter`: Azure's 400 `content_filter` error;
/// - `fault-flaky-<percent>`: that share of requests (deterministically spread) fail with 500;
/// - the hostile upstreams of `FakeUpstream+Hostile.swift` (absurd usage, echoed keys, floods).
/// `failNext(_:with:)` makes the next N chat requests fail whatever their model.
public final class FakeUpstream: Sendable {
    public let fixtures: Fixtures
    public let expectedAPIKey: String?
    public let slowEventDelay: Duration
    public let slowFirstByteDelay: Duration
    /// How long `fault-hang` and `fault-stall` stay silent.
    public let stallDuration: Duration = .seconds(3)
    let state = Mutex(State())
    let vertexState = Mutex(VertexState())
    /// Prompt prefixes each `prefix-cache-*` model has seen (`FakeUpstream+PromptCache.swift`).
    let promptCaches = Mutex<[String: Set<String>]>([:])
    /// How long the fake's OAuth2 access tokens last, in seconds (`FakeUpstream+Vertex.swift`).
    public let vertexTokenLifetime: Int

    struct VertexState {
        var issued: [String] = []
    }

    struct State {
        var requests: [RecordedRequest] = []
        var pendingFailures: [String] = []
        var streamsCancelled = 0
        var streamsCompleted = 0
        var flakyCounter = 0
    }

    /// A request the fake received.
    public struct RecordedRequest: Sendable {
        public let path: String
        public let headers: [String: String]
        public let body: [UInt8]
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    public init(
        fixtures: Fixtures = .locate(), expectedAPIKey: String? = nil, slowEventDelay: Duration = .milliseconds(200),
        slowFirstByteDelay: Duration = .seconds(2), vertexTokenLifetime: Int = 3599
    ) {
        self.vertexTokenLifetime = vertexTokenLifetime
        self.fixtures = fixtures
        self.expectedAPIKey = expectedAPIKey
        self.slowEventDelay = slowEventDelay
        self.slowFirstByteDelay = slowFirstByteDelay
    }

    public var requests: [RecordedRequest] { state.withLock { $0.requests } }
    /// Streams that ended because the client (the gateway) went away.
    public var streamsCancelled: Int { state.withLock { $0.streamsCancelled } }
    public var streamsCompleted: Int { state.withLock { $0.streamsCompleted } }

    /// The next `count` chat requests answer with the `errors.json` entry `key`.
    public func failNext(_ count: Int, with key: String) {
        state.withLock { $0.pendingFailures += Array(repeating: key, count: count) }
    }

    /// The Hummingbird application serving the fake on `host:port` (0 picks a free port), over
    /// HTTPS when `tls` is given (see `Fixtures.testServerTLS()`).
    public func application(
        host: String = "127.0.0.1", port: Int = 0, tls: TLSConfiguration? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router(context: FakeUpstreamContext.self)
        router.post("/v1/chat/completions") { request, context in try await self.chat(request, context: context) }
        router.post("/v1/embeddings") { request, context in try await self.embeddings(request, context: context) }
        router.post("/v1/responses") { request, context in try await self.responses(request, context: context) }
        router.get("/v1/models") { request, context in try await self.models(request, context: context) }
        router.get("/_fake/last-request") { _, _ in self.lastRequestJSON() }
        router.post("/openai/deployments/{deployment}/chat/completions") { request, context in try await self.azureChat(request, context: context) }
        // Azure AI Foundry's model inference: the model in the body, `api-key` auth, `api-version` required.
        router.post("/models/chat/completions") { request, context in
            guard request.uri.queryParameters.get("api-version") != nil else { return self.statusResponse(404) }
            return try await self.chat(request, context: context, authorized: self.authorized(request, header: "api-key"))
        }
        addOpenAIEndpointRoutes(to: router)
        addVertexRoutes(to: router)
        addCohereRoutes(to: router)
        addAnthropicRoutes(to: router)
        addGeminiRoutes(to: router)
        addBedrockRoutes(to: router)
        var logger = Logger(label: "fake-openai")
        logger.logLevel = .warning
        return Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    // MARK: - Handlers

    func record(_ request: Request, context: some RequestContext) async throws -> [UInt8] {
        let body = Array(try await request.body.collect(upTo: 64 * 1024 * 1024).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        state.withLock { $0.requests.append(RecordedRequest(path: request.uri.path, headers: headers, body: body)) }
        return body
    }

    func authorized(_ request: Request) -> Bool {
        guard let expectedAPIKey else { return true }
        return request.headers[.authorization] == "Bearer \(expectedAPIKey)"
    }

    /// `header` carries the expected key (providers that do not use bearer auth).
    func authorized(_ request: Request, header: String) -> Bool {
        guard let expectedAPIKey else { return true }
        return HTTPField.Name(header).flatMap { request.headers[$0] } == expectedAPIKey
    }

    /// Azure OpenAI: the OpenAI body under a deployment path, `api-key` auth, `api-version` required.
    private func azureChat(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        guard request.uri.queryParameters.get("api-version") != nil else {
            _ = try await record(request, context: context)
            let body = #"{"error":{"code":"404","message":"Resource not found"}}"#
            return Response(status: .notFound, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return try await chat(request, context: context, authorized: authorized(request, header: "api-key"))
    }

    func chat(_ request: Request, context: FakeUpstreamContext, authorized: Bool? = nil) async throws -> Response {
        let body = try await record(request, context: context)
        guard authorized ?? self.authorized(request) else { return try errorResponse("401_invalid_key") }
        let scanner = JSONScanner(body)
        let root = try scanner.root()
        let model = scanner.member("model", of: root).flatMap { scanner.string($0.value) } ?? ""
        let stream = scanner.member("stream", of: root).flatMap { scanner.bool($0.value) } ?? false
        // A model with tools calls one, and answers a tool's result with text (as an agent loop expects).
        let lastRole = scanner.member("messages", of: root).flatMap { scanner.elements(of: $0.value).last }
            .flatMap { scanner.member("role", of: $0) }.flatMap { scanner.string($0.value) }
        let hasTools = scanner.member("tools", of: root) != nil && lastRole != "tool"
        let includeUsage = scanner.member("stream_options", of: root).flatMap { scanner.member("include_usage", of: $0.value) }
            .flatMap { scanner.bool($0.value) } ?? false

        if let key = state.withLock({ $0.pendingFailures.isEmpty ? nil : $0.pendingFailures.removeFirst() }) {
            return try errorResponse(key)
        }
        if model.hasPrefix("fault-") {
            let fault = String(model.dropFirst("fault-".count))
            switch fault {
            case "stream-error": return sse(try fixtures.sseEvents("openai", "chat_stream_error.sse"), delay: nil, closeEarly: false)
            case "truncate": return sse(Array(try fixtures.sseEvents("openai", "chat_stream_text.sse").prefix(2)), delay: nil, closeEarly: true)
            case "slow": return sse(try fixtures.sseEvents("openai", "chat_stream_text.sse"), delay: slowEventDelay, closeEarly: false)
            case "hang": return sse([], delay: stallDuration, closeEarly: false)
            case "reset":
                try? await context.channel.close()
                throw TruncatedOnPurpose()
            case "reset-after-first-byte":
                return sse(Array(try fixtures.sseEvents("openai", "chat_stream_text.sse").prefix(1)), delay: nil, closeEarly: true)
            case "slow-first-byte":
                return sse(try fixtures.sseEvents("openai", "chat_stream_text.sse"), delay: slowEventDelay, closeEarly: false, firstDelay: slowFirstByteDelay)
            case "stall":
                let events = Array(try fixtures.sseEvents("openai", "chat_stream_text.sse").prefix(2))
                return sse(events + [[]], delay: nil, closeEarly: false, stallAtEmpty: true)
            case "content-filter":
                let body = #"{"error":{"message":"The response was filtered due to the prompt triggering content management policy.","type":null,"param":"prompt","code":"content_filter","status":400}}"#
                return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            case "malformed-stream":
                let events = Array(try fixtures.sseEvents("openai", "chat_stream_text.sse").prefix(1)) + [Array("data: {not json\n\n".utf8)]
                return sse(events, delay: nil, closeEarly: false)
            case "malformed":
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"id\": oops")))
            default:
                if fault.hasPrefix("status-"), let code = Int(fault.dropFirst("status-".count)) {
                    return statusResponse(code)
                }
                if let response = try hostile(fault, stream: stream) { return response }
                if fault.hasPrefix("flaky-"), let percent = Int(fault.dropFirst("flaky-".count)) {
                    let count = state.withLock { state -> Int in state.flakyCounter += 1; return state.flakyCounter }
                    if (count * percent) / 100 != ((count - 1) * percent) / 100 { return statusResponse(500) }
                    return try normalChat(stream: stream, hasTools: hasTools, includeUsage: includeUsage)
                }
                return try errorResponse(fault)
            }
        }
        if model.hasPrefix("prefix-cache-"), !stream { return try promptCachedChat(model: model, scanner: scanner, root: root) }
        return try normalChat(stream: stream, hasTools: hasTools, includeUsage: includeUsage)
    }

    private func normalChat(stream: Bool, hasTools: Bool, includeUsage: Bool) throws -> Response {
        if stream {
            var events = try fixtures.sseEvents("openai", hasTools ? "chat_stream_tool_calls.sse" : "chat_stream_text.sse")
            if !includeUsage { events.removeAll { String(decoding: $0, as: UTF8.self).contains(#""choices":[],"usage":{"#) } }
            return sse(events, delay: nil, closeEarly: false)
        }
        let fixture = try fixtures.data("openai", hasTools ? "chat_tools_response.json" : "chat_response.json")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    /// OpenAI's Responses API: the spec's example answer (JSON or its event stream), under a
    /// fresh response id each time; `fault-<key>` models answer with that `errors.json` entry.
    private func responses(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        guard authorized(request) else { return try errorResponse("401_invalid_key") }
        let json = try JSONValue.parse(body)
        let model = json["model"]?.stringValue ?? ""
        if model.hasPrefix("fault-") { return try errorResponse(String(model.dropFirst("fault-".count))) }
        let id = "resp_fake" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        func renamed(_ bytes: [UInt8]) -> [UInt8] {
            Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: FakeUpstream.responsesFixtureID, with: id).utf8)
        }
        if json["stream"]?.boolValue == true {
            return sse(try fixtures.sseEvents("openai", "responses_stream_text.sse").map(renamed), delay: nil, closeEarly: false)
        }
        let fixture = renamed(try fixtures.data("openai", "responses_response.json"))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    /// `GET /_fake/last-request`: what the fake last received, for end-to-end tests of the
    /// real binary: `{"path", "headers", "body"}` (the body as JSON when it is JSON).
    private func lastRequestJSON() -> Response {
        guard let last = requests.last else { return Response(status: .notFound) }
        let body = (try? JSONValue.parse(last.body)) ?? .string(String(decoding: last.body, as: UTF8.self))
        let headers = JSONValue.object(last.headers.sorted { $0.key < $1.key }.map { JSONValue.JSONField($0.key, .string($0.value)) })
        let json = JSONValue.record(["path": .string(last.path), "headers": headers, "body": body])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.serialized)))
    }

    /// The response id in the Responses fixtures.
    public static let responsesFixtureID = "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654"

    private func embeddings(_ request: Request, context: some RequestContext) async throws -> Response {
        _ = try await record(request, context: context)
        guard authorized(request) else { return try errorResponse("401_invalid_key") }
        let fixture = try fixtures.data("openai", "embeddings_response.json")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    private func models(_ request: Request, context: some RequestContext) async throws -> Response {
        _ = try await record(request, context: context)
        guard authorized(request) else { return try errorResponse("401_invalid_key") }
        let fixture = try fixtures.data("openai", "models_response.json")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    func errorResponse(_ key: String, provider: String = "openai") throws -> Response {
        let error = try fixtures.error(provider, key)
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: error.body)))
    }

    func statusResponse(_ code: Int) -> Response {
        let body = #"{"error":{"message":"Injected failure \#(code).","type":"server_error","param":null,"code":null}}"#
        return Response(status: .init(code: code), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func sse(
        _ events: [[UInt8]], delay: Duration?, closeEarly: Bool, firstDelay: Duration? = nil, stallAtEmpty: Bool = false,
        contentType: String = "text/event-stream"
    ) -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: ResponseBody { writer in
            do {
                if let firstDelay { try await Task.sleep(for: firstDelay) }
                for event in events {
                    // Bounded, so a test server's graceful shutdown never waits on a stall for long.
                    if stallAtEmpty && event.isEmpty { try await Task.sleep(for: self.stallDuration) }
                    try await writer.write(ByteBuffer(bytes: event))
                    if let delay { try await Task.sleep(for: delay) }
                }
                if events.isEmpty, let delay { try await Task.sleep(for: delay) }
            } catch {
                self.state.withLock { $0.streamsCancelled += 1 }
                throw error
            }
            if closeEarly {
                // Let the written events leave before the connection is torn down mid-response.
                try await Task.sleep(for: .milliseconds(50))
                throw TruncatedOnPurpose()
            }
            self.state.withLock { $0.streamsCompleted += 1 }
            try await writer.finish(nil)
        })
    }

    struct TruncatedOnPurpose: Error {}
}

/// The fake's request context: keeps the channel so a fault can drop the connection outright.
public struct FakeUpstreamContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
