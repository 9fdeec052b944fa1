import Benchmark
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Hot paths of a request, measured per operation with allocation counts, so a regression shows in
/// `swift package benchmark baseline compare`: SSE framing, the OpenAI stream fast path, translating an
/// Anthropic stream to OpenAI chunks, parsing a chat request, scoring a prompt with the learned router, the
/// semantic cache's lookup, and one whole request through the gateway in process (`RequestPipeline`).
/// Inputs follow `Tests/Fixtures/providers` (the same event shapes, repeated to a 200-delta answer).
let benchmarks: @Sendable () -> Void = {
    // `baseline check` (against a local baseline) fails when allocations grow by more than 5% (they are
    // deterministic) or the median time by more than 25% (only the median: tails are noise on a shared
    // machine). `thresholds check` (bench/micro.sh) compares each benchmark's p90 allocation count with the
    // committed `Thresholds/` — allocation counts only: times depend on the machine.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(2),
        thresholds: [.mallocCountTotal: .init(relative: [.p50: 5.0, .p90: 5.0]), .wallClock: .init(relative: [.p50: 25.0])])

    Benchmark("SSE framing: 200-delta OpenAI stream in 1 KiB reads") { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = SSEParser()
            var events = 0
            for chunk in Inputs.openAIStreamChunks { events += (try? parser.feed(chunk))?.count ?? 0 }
            blackHole(events)
        }
    }

    Benchmark("OpenAI → OpenAI stream relay (fast path, usage metered)") { benchmark in
        for _ in benchmark.scaledIterations {
            var relay = OpenAIPassthroughRelay(relay: OpenAIStreamRelay(providerName: "openai", clientWantsUsage: false, usageLocation: .topLevel))
            var bytes = 0
            for chunk in Inputs.openAIStreamChunks { bytes += relay.feed(chunk).output.count }
            blackHole(bytes + relay.upstreamEnded().output.count)
        }
    }

    Benchmark("Anthropic → OpenAI stream translation") { benchmark in
        for _ in benchmark.scaledIterations {
            var relay = TranslatingStreamRelay(
                translator: AnthropicStreamTranslator(providerName: "anthropic"),
                encoder: OpenAIChunkEncoder(id: "chatcmpl-bench", model: "claude", created: 0, includeUsage: true), promptBytes: 100)
            var bytes = 0
            for chunk in Inputs.anthropicStreamChunks { bytes += relay.feed(chunk).output.count }
            blackHole(bytes + relay.upstreamEnded().output.count)
        }
    }

    Benchmark("Chat request parse (JSON fast path)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? OpenAIChatRequestBody(bytes: Inputs.chatRequest))
        }
    }

    Benchmark("Chat request parse: a 100k-token prompt (600 KB)", configuration: .init(setup: { _ = Inputs.largeChatRequest })) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? OpenAIChatRequestBody(bytes: Inputs.largeChatRequest))
        }
    }

    // Its ~22 allocations vary by one or two between runs (hash tables sized by a seeded hash): 15 %.
    Benchmark(
        "Learned router: score a 60-word prompt",
        configuration: .init(
            thresholds: [.mallocCountTotal: .init(relative: [.p50: 15.0, .p90: 15.0]), .wallClock: .init(relative: [.p50: 25.0])],
            setup: { _ = Inputs.router })
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Inputs.router?.score(Inputs.prompt))
        }
    }

    // A whole request in process (see `RequestPipeline`): the allocation count per request. The
    // interposer counts every thread's mallocs, and the task allocator's slabs and NIO's event-loop
    // bookkeeping add a few to some requests: p90 moves 166–191 between runs, so 20 % (still catches
    // a regression of ~35 allocations a request).
    let wholeRequest = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal],
        thresholds: [.mallocCountTotal: .init(relative: [.p50: 20.0, .p90: 20.0]), .wallClock: .init(relative: [.p50: 25.0])])
    Benchmark("Gateway: one chat completion, master key", configuration: wholeRequest) { benchmark in
        try await RequestPipeline.run(benchmark, full: false)
    }

    Benchmark("Gateway: one chat completion, virtual key with credits, learned router", configuration: wholeRequest) { benchmark in
        try await RequestPipeline.run(benchmark, full: true)
    }

    // The semantic cache's lookup: 50,000 stored prompts (embedded by the bundled router, as the
    // gateway does), one new prompt's nearest neighbour at threshold 0.97.
    Benchmark(
        "Semantic cache: nearest of 50,000 prompts", configuration: .init(metrics: [.wallClock, .mallocCountTotal], setup: { _ = Inputs.semanticIndex })
    ) { benchmark in
        for index in benchmark.scaledIterations {
            let query = Inputs.semanticQueries[index % Inputs.semanticQueries.count]
            blackHole(Inputs.semanticIndex.nearest(to: query, partition: "openai-chat\u{0}global", threshold: 0.97))
        }
    }
}

/// Benchmark inputs, built once.
enum Inputs {
    static let openAIStreamChunks: [[UInt8]] = {
        let prefix = #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":["#
        var text = prefix + #"{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"# + "\n\n"
        for index in 0..<200 {
            text += prefix + #"{"index":0,"delta":{"content":"token\#(index) "},"logprobs":null,"finish_reason":null}],"usage":null}"# + "\n\n"
        }
        text += prefix + #"{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"# + "\n\n"
        text += prefix + #"],"usage":{"prompt_tokens":19,"completion_tokens":200,"total_tokens":219}}"# + "\n\ndata: [DONE]\n\n"
        return chunks(of: text)
    }()

    static let anthropicStreamChunks: [[UInt8]] = {
        var text = "event: message_start\ndata: " + #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}"# + "\n\n"
        text += "event: content_block_start\ndata: " + #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"# + "\n\n"
        for index in 0..<200 {
            text += "event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"token\#(index) "}}"# + "\n\n"
        }
        text += "event: content_block_stop\ndata: " + #"{"type":"content_block_stop","index":0}"# + "\n\n"
        text += "event: message_delta\ndata: " + #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":200}}"# + "\n\n"
        text += "event: message_stop\ndata: " + #"{"type":"message_stop"}"# + "\n\n"
        return chunks(of: text)
    }()

    static let chatRequest = Array(#"{"model":"gpt-4o-mini","messages":[{"role":"developer","content":"You are a helpful assistant."},{"role":"user","content":"Summarise the following text in three bullet points, keeping every figure exact."}],"temperature":0.7,"max_completion_tokens":256,"stop":["END"],"user":"user-1234","stream":true}"#.utf8)

    static let largeChatRequest = Array(
        (#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":""# + String(repeating: "hello ", count: 100_000) + #""}],"max_tokens":16}"#).utf8)

    static let prompt = RequestFeatures(text: "Which of the following best explains why the rate of a reaction increases with temperature? "
        + "A. Molecules collide less often. B. A larger fraction of collisions exceed the activation energy. "
        + "C. The activation energy decreases. D. The equilibrium constant increases. Explain your reasoning briefly.")

    static let router: LearnedRouterModel? = try? LearnedRouterModel.bundled()

    /// Questions built from a small vocabulary (so embeddings cluster as real traffic's do).
    static func question(_ index: Int) -> String {
        let subjects = ["the rate of a reaction", "a binary search tree", "compound interest", "photosynthesis", "the French revolution",
            "a TCP handshake", "Newton's second law", "supply and demand", "a hash map", "the water cycle", "inflation", "a neural network"]
        let asks = ["Explain", "Summarise", "Give an example of", "What is", "Compare", "Why does", "How would you teach", "List facts about"]
        let styles = ["briefly", "in detail", "for a child", "with numbers", "step by step", "in one sentence", "as a table", "with a diagram"]
        return "\(asks[index % asks.count]) \(subjects[(index / asks.count) % subjects.count]) \(styles[(index / 96) % styles.count]) (case \(index))"
    }

    static func embedding(_ text: String) -> [Float] { router?.evaluate(RequestFeatures(text: text)).embedding.map(Float.init) ?? [] }

    static let semanticIndex: SemanticIndex = {
        var index = SemanticIndex(maxEntries: 50_000)
        for item in 0..<50_000 { index.insert(embedding(question(item)), partition: "openai-chat\u{0}global", key: "key-\(item)") }
        return index
    }()

    static let semanticQueries: [[Float]] = (0..<64).map { embedding(question(50_000 + $0 * 7)) }

    static func chunks(of text: String) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        return stride(from: 0, to: bytes.count, by: 1024).map { Array(bytes[$0..<min($0 + 1024, bytes.count)]) }
    }
}
