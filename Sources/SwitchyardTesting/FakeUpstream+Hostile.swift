import Foundation
import Hummingbird
import NIOCore

extension FakeUpstream {
    /// Upstreams that misbehave the way hostile or broken providers do, chosen by model name:
    /// - `fault-usage-<N>`: the normal answer (JSON, or a stream with its usage chunk) reporting
    ///   N prompt and N completion tokens (N may be negative or near `Int64.max`);
    /// - `fault-echo-key`: a 400 whose message repeats the upstream key as `(key:sk-…)`;
    /// - `fault-firehose`: a stream of 1,000 16 KB deltas sent as fast as the connection takes them;
    /// - `fault-big-json-<bytes>`: a 200 JSON answer of about that many bytes;
    /// - `fault-truncate-json`: a 200 JSON answer cut off mid-body (the connection drops).
    func hostile(_ fault: String, stream: Bool) throws -> Response? {
        if fault.hasPrefix("usage-"), let count = Int64(fault.dropFirst("usage-".count)) {
            return try absurdUsage(count, stream: stream)
        }
        if fault.hasPrefix("big-json-"), let size = Int(fault.dropFirst("big-json-".count)) {
            let padding = String(repeating: "x", count: max(0, size - 200))
            let body = #"{"id":"chatcmpl-big","object":"chat.completion","created":1,"model":"big","choices":[{"index":0,"message":{"role":"assistant","content":"\#(padding)"},"finish_reason":"stop"}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        switch fault {
        case "echo-key":
            let body = #"{"error":{"message":"Invalid 'model' for this account (key:\#(expectedAPIKey ?? "sk-none")).","type":"invalid_request_error","param":"model","code":null}}"#
            return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        case "firehose":
            let delta = String(repeating: "y", count: 16 * 1024)
            let event = Array(#"data: {"id":"chatcmpl-f","object":"chat.completion.chunk","created":1,"model":"f","choices":[{"index":0,"delta":{"content":"\#(delta)"},"finish_reason":null}]}"#.utf8) + [0x0A, 0x0A]
            return sse(Array(repeating: event, count: 1000) + [Array("data: [DONE]\n\n".utf8)], delay: nil, closeEarly: false)
        case "truncate-json":
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: #"{"id":"chatcmpl-cut","object":"chat.completion","choices":[{"index":0,"#))
                try await Task.sleep(for: .milliseconds(50))
                throw TruncatedOnPurpose()
            })
        default:
            return nil
        }
    }

    private func absurdUsage(_ count: Int64, stream: Bool) throws -> Response {
        func rewrite(_ object: inout [String: Any]) {
            guard var usage = object["usage"] as? [String: Any] else { return }
            usage["prompt_tokens"] = count
            usage["completion_tokens"] = count
            usage["total_tokens"] = count
            object["usage"] = usage
        }
        if !stream {
            var object = try JSONSerialization.jsonObject(with: Data(try fixtures.data("openai", "chat_response.json"))) as? [String: Any] ?? [:]
            rewrite(&object)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))))
        }
        let events = try fixtures.sseEvents("openai", "chat_stream_text.sse").map { event -> [UInt8] in
            let text = String(decoding: event, as: UTF8.self)
            guard text.contains(#""usage":{"#), let start = text.range(of: "data: ")?.upperBound,
                var object = try? JSONSerialization.jsonObject(with: Data(text[start...].trimmingCharacters(in: .whitespacesAndNewlines).utf8)) as? [String: Any]
            else { return event }
            rewrite(&object)
            return Array("data: ".utf8) + Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()) + [0x0A, 0x0A]
        }
        return sse(events, delay: nil, closeEarly: false)
    }
}
