import Benchmark
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import SwitchyardCore
import SwitchyardServer
import SwitchyardStoreSQLite

/// One request through the whole gateway in process — ingress parsing, authentication, routing,
/// admission, the upstream call, the reply's encoding and metering — with Hummingbird's router
/// test mode in place of sockets and a transport that answers from memory, so the allocation count
/// is the gateway's own per request (the HTTP server's and the upstream client's socket work are
/// measured by bench/run.sh).
enum RequestPipeline {
    static let configuration = """
        server: { master_key: sk-sy-bench-master }
        storage: { ledger_flush_ms: 60000 }
        providers:
          mock: { type: openai-compatible, base_url: "http://127.0.0.1:9/v1" }
        models:
          - name: mini
            targets: [ { provider: mock, model: gpt-4o-mini } ]
            price: { input: 0.15, output: 0.60 }
          - name: strong
            targets: [ { provider: mock, model: gpt-4o } ]
            price: { input: 2.5, output: 10.0 }
        routers:
          - { name: auto, kind: learned, weak: mini, strong: strong, strong_share: 0.3 }
        """

    static let answer = ByteBuffer(string: #"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}"#)

    static func body(model: String) -> ByteBuffer {
        ByteBuffer(string: #"{"model":"\#(model)","messages":[{"role":"user","content":"Hello! Summarise the rules of chess in two sentences."}],"max_tokens":16}"#)
    }

    /// Builds a gateway (excluded from the measurement), sends one warm-up request, then measures
    /// `benchmark.scaledIterations` requests: with the master key (`bare`) or with a virtual key
    /// holding credits through the learned router `auto` (the full path).
    static func run(_ benchmark: Benchmark, full: Bool) async throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: Self.configuration)
        let store = try SQLiteAccountStore(path: ":memory:")
        var dependencies = GatewayDependencies(transport: FixedAnswerTransport(answer: answer), accountStore: store)
        dependencies.logger.logLevel = .critical
        // No background work during the measurement (the ledger flushes once a minute, the
        // longest `ledger_flush_ms` allows): malloc counts are the process's.
        dependencies.keyRefreshInterval = .seconds(3_600)
        let app = try await buildApplication(configuration: configuration, dependencies: dependencies)
        // `Benchmark` is not `Sendable`; the test closure runs on this task, one call at a time.
        nonisolated(unsafe) let benchmark = benchmark
        try await app.test(.router) { client in
            var key = "sk-sy-bench-master"
            if full {
                key = try await client.execute(
                    uri: "/admin/keys", method: .post, headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"name":"bench","credits":"1000000.00"}"#)
                ) { response in
                    let created = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    return created?["key"] as? String ?? ""
                }
            }
            let headers: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
            let body = Self.body(model: full ? "auto" : "mini")
            try await send(client, headers: headers, body: body)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { try await send(client, headers: headers, body: body) }
            benchmark.stopMeasurement()
        }
    }

    private static func send(_ client: some TestClientProtocol, headers: HTTPFields, body: ByteBuffer) async throws {
        try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: body) { response in
            guard response.status == .ok else { throw Failed(status: response.status.code) }
            blackHole(response.body.readableBytes)
        }
    }

    struct Failed: Error { let status: Int }
}

/// Answers every call with one fixed chat completion, from memory.
struct FixedAnswerTransport: UpstreamTransport {
    let answer: ByteBuffer

    func send(_ request: UpstreamRequest, timeout: Duration) async throws -> UpstreamResponse {
        UpstreamResponse(status: 200, headers: HeaderList([("content-type", "application/json")]), body: OneChunkBody(answer))
    }
}

/// A body of one chunk.
final class OneChunkBody: UpstreamBodyStream {
    private let chunk: Mutex<ByteBuffer?>

    init(_ chunk: ByteBuffer) { self.chunk = Mutex(chunk) }

    func next() async throws -> ByteBuffer? { chunk.withLock { chunk in defer { chunk = nil }; return chunk } }
    func next(silenceLimit: Duration) async throws -> ByteBuffer? { try await next() }
    func cancel() { chunk.withLock { $0 = nil } }
}
