import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardTesting

/// The benchmark's timed mock (`--paced`): every chat request waits `latency`, then answers the
/// OpenAI `chat.completion` JSON, or — when the request streams — `deltas` content chunks paced
/// `interval` apart, the finish chunk, the usage chunk when `stream_options.include_usage` asks
/// for it, and `[DONE]`, in the order and shape of `specs/fixtures/openai/chat_stream_text.sse`.
struct PacedUpstream {
    var latency: Duration
    var deltas: Int
    var interval: Duration
    /// The non-streaming answer: `specs/fixtures/openai/chat_response.json`, as the specs give it.
    let completion: ByteBuffer

    init(latency: Duration, deltas: Int, interval: Duration, fixtures: Fixtures = .locate()) throws {
        self.latency = latency
        self.deltas = deltas
        self.interval = interval
        self.completion = ByteBuffer(bytes: try fixtures.data("openai", "chat_response.json"))
    }

    func application(port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ in try await self.chat(request) }
        var logger = Logger(label: "paced-upstream")
        logger.logLevel = .warning
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    private func chat(_ request: Request) async throws -> Response {
        let body = Array(try await request.body.collect(upTo: 16 * 1024 * 1024).readableBytesView)
        let scanner = JSONScanner(body)
        let root = try scanner.root()
        let stream = scanner.member("stream", of: root).flatMap { scanner.bool($0.value) } ?? false
        let includeUsage = scanner.member("stream_options", of: root).flatMap { scanner.member("include_usage", of: $0.value) }
            .flatMap { scanner.bool($0.value) } ?? false
        if latency > .zero { try await Task.sleep(for: latency) }
        guard stream else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: completion))
        }
        let (deltas, interval) = (self.deltas, self.interval)
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: Self.chunk(delta: #"{"role":"assistant","content":"","refusal":null}"#)))
            for index in 0..<deltas {
                if index > 0 { try await Task.sleep(for: interval) }
                try await writer.write(ByteBuffer(string: Self.chunk(delta: #"{"content":"tok\#(index) "}"#)))
            }
            var tail = Self.chunk(delta: "{}", finish: #""stop""#)
            if includeUsage {
                tail += #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":\#(deltas),"total_tokens":\#(19 + deltas),"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"# + "\n\n"
            }
            tail += "data: [DONE]\n\n"
            try await writer.write(ByteBuffer(string: tail))
            try await writer.finish(nil)
        })
    }

    private static func chunk(delta: String, finish: String = "null") -> String {
        #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finish)}],"usage":null}"#
            + "\n\n"
    }
}
