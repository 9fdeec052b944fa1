import Hummingbird
import NIOCore
import NIOPosix

/// The HTTP server layer's own floor: Hummingbird answering a fixed chat completion to every POST,
/// after reading the request body — no routing, accounting or upstream. bench/run.sh puts it
/// beside nginx and Switchyard, so the share of a request's cost that is the server framework is
/// measured, not guessed. Run on NIO's event loops as Swift concurrency's executor, as `switchyard` is.
let answer = ByteBuffer(string: #"{"id":"chatcmpl-floor","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#)
let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8090
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let router = Router()
router.post("/v1/chat/completions") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 16 << 20)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
