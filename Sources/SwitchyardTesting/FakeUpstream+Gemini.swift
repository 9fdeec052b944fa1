import Hummingbird
import NIOCore
import SwitchyardCore

/// Gemini's `models/{model}:generateContent`, `:streamGenerateContent?alt=sse` and
/// `:batchEmbedContents` under `/v1beta` and `/v1` (google-genai 3.x calls `/v1`), replaying
/// `fixtures/gemini` with CRLF framing (`x-goog-api-key` auth). Faults by model name:
/// `fault-<key>` (an `errors.json` entry, e.g. `fault-429`), `fault-truncate` (a stream that
/// ends before `finishReason`), `fault-malformed-stream`.
extension FakeUpstream {
    func addGeminiRoutes(to router: Router<FakeUpstreamContext>) {
        for version in ["v1beta", "v1"] {
            router.post("/\(version)/models/{action}") { request, context in try await self.gemini(request, context: context) }
        }
    }

    private func gemini(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        guard authorized(request, header: "x-goog-api-key") else { return try errorResponse("400_api_key", provider: "gemini") }
        let action = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
        let parts = action.removingPercentEncoding.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return try errorResponse("404", provider: "gemini") }
        return try geminiAnswer(try JSONValue.parse(body), model: parts[0], method: parts[1], request: request)
    }

    /// The answer to a Gemini body for `model:method` (from the Gemini API's URL or Vertex's).
    func geminiAnswer(_ json: JSONValue, model: String, method: String, request: Request) throws -> Response {
        let hasTools = !(json["tools"]?.arrayValue ?? []).isEmpty
        let events = try fixtures.sseEvents("gemini", "streamGenerateContent_alt_sse.sse")
        if model.hasPrefix("fault-") {
            switch String(model.dropFirst("fault-".count)) {
            case "truncate": return sse(Array(events.prefix(2)), delay: nil, closeEarly: true)
            case "malformed-stream": return sse(Array(events.prefix(1)) + [Array("data: {oops\r\n\r\n".utf8)], delay: nil, closeEarly: false)
            case let key: return try errorResponse(key, provider: "gemini")
            }
        }
        switch method {
        case "generateContent":
            let fixture = try fixtures.data("gemini", hasTools ? "generateContent_tools_response.json" : "generateContent_response.json")
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
        case "streamGenerateContent":
            guard request.uri.queryParameters.get("alt") == "sse" else { return try errorResponse("400", provider: "gemini") }
            if hasTools {
                // A functionCall arrives whole, in one chunk: the tools response is that chunk.
                let chunk = try JSONValue.parse(try fixtures.data("gemini", "generateContent_tools_response.json")).serialized
                return sse([Array("data: ".utf8) + chunk + Array("\r\n\r\n".utf8)], delay: nil, closeEarly: false)
            }
            return sse(events, delay: nil, closeEarly: false)
        case "batchEmbedContents":
            let count = json["requests"]?.arrayValue?.count ?? 0
            let embeddings = (0..<count).map { index in JSONValue.record(["values": .array([.double(0.01 * Double(index + 1)), .double(-0.5), .double(0.25)])]) }
            let answer = JSONValue.record(["embeddings": .array(embeddings)]).serialized
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        default:
            return try errorResponse("404", provider: "gemini")
        }
    }
}

extension String {
    /// The string with `%XX` escapes decoded (invalid escapes are kept as they are).
    var removingPercentEncoding: String {
        var bytes: [UInt8] = []
        let utf8 = Array(self.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count, let value = UInt8(String(decoding: utf8[i + 1...i + 2], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
