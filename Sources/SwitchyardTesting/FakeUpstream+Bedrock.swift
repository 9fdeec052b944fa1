import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SwitchyardCore
import SwitchyardProviders

/// Bedrock Runtime's `/model/{modelId}/converse` and `/converse-stream`, replaying
/// `fixtures/bedrock` (binary event streams as recorded). With an expected key, a request must
/// carry `Authorization: Bearer <key>` or a SigV4 signature made with secret `<key>` that
/// verifies against the request as received. Faults by model id: `fault-<Code>` (an
/// `errors.json` entry, e.g. `fault-ThrottlingException`), `fault-stream-error` (the in-stream
/// `throttlingException`), `fault-bad-crc` (a corrupted frame), `fault-truncate` (the stream
/// stops mid-frame).
extension FakeUpstream {
    func addBedrockRoutes(to router: Router<FakeUpstreamContext>) {
        router.post("/model/{model}/converse") { request, context in try await self.bedrock(request, context: context, stream: false) }
        router.post("/model/{model}/converse-stream") { request, context in try await self.bedrock(request, context: context, stream: true) }
        router.post("/model/{model}/invoke") { request, context in try await self.bedrockInvoke(request, context: context, stream: false) }
        router.post("/model/{model}/invoke-with-response-stream") { request, context in
            try await self.bedrockInvoke(request, context: context, stream: true)
        }
    }

    /// InvokeModel for Claude models: the Anthropic fixtures, the stream as event-stream `chunk`
    /// frames of base64 events (with Bedrock's invocation metrics on the last), as Bedrock sends them.
    private func bedrockInvoke(_ request: Request, context: FakeUpstreamContext, stream: Bool) async throws -> Response {
        let body = try await record(request, context: context)
        guard bedrockAuthorized(request, body: body) else { return try errorResponse("InvalidSignatureException", provider: "bedrock") }
        let json = try JSONValue.parse(body)
        guard json["anthropic_version"]?.stringValue == BedrockAdapter.anthropicVersion, json["model"] == nil else {
            return try errorResponse("ValidationException", provider: "bedrock")
        }
        let hasTools = !(json["tools"]?.arrayValue ?? []).isEmpty
        if stream {
            let events = try fixtures.sseEvents("anthropic", hasTools ? "messages_stream_tool_use.sse" : "messages_stream_text.sse")
            let frames = events.enumerated().map { index, event -> [UInt8] in
                let line = String(decoding: event, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("data: ") } ?? ""
                var data = Array(line.dropFirst(6).utf8)
                if index == events.count - 1, let parsed = try? JSONValue.parse(data), case .object(var fields) = parsed {
                    fields.append(.init("amazon-bedrock-invocationMetrics", .record(["inputTokenCount": .int(25), "outputTokenCount": .int(15)])))
                    data = JSONValue.object(fields).serialized
                }
                let payload = JSONValue.record(["bytes": .string(Data(data).base64EncodedString())]).serialized
                return FakeUpstream.eventStreamFrame(
                    headers: [(":event-type", "chunk"), (":content-type", "application/json"), (":message-type", "event")], payload: payload)
            }
            return sse(frames, delay: nil, closeEarly: false, contentType: "application/vnd.amazon.eventstream")
        }
        let fixture = try fixtures.data("anthropic", hasTools ? "messages_tools_response.json" : "messages_response.json")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    /// One AWS event-stream message: prelude (lengths, CRC), string headers, payload, CRC.
    static func eventStreamFrame(headers: [(String, String)], payload: [UInt8]) -> [UInt8] {
        func bigEndian(_ value: Int) -> [UInt8] { [UInt8((value >> 24) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
        var headerBytes: [UInt8] = []
        for (name, value) in headers {
            headerBytes.append(UInt8(name.utf8.count))
            headerBytes += name.utf8
            headerBytes.append(7)  // string
            headerBytes += [UInt8(value.utf8.count >> 8), UInt8(value.utf8.count & 0xFF)]
            headerBytes += value.utf8
        }
        var frame = bigEndian(16 + headerBytes.count + payload.count) + bigEndian(headerBytes.count)
        frame += bigEndian(Int(CRC32.checksum(frame)))
        frame += headerBytes + payload
        frame += bigEndian(Int(CRC32.checksum(frame)))
        return frame
    }

    private func bedrock(_ request: Request, context: FakeUpstreamContext, stream: Bool) async throws -> Response {
        let body = try await record(request, context: context)
        guard bedrockAuthorized(request, body: body) else { return try errorResponse("InvalidSignatureException", provider: "bedrock") }
        let segments = request.uri.path.split(separator: "/")
        let model = segments.count >= 2 ? String(segments[1]).removingPercentEncoding : ""
        let json = try JSONValue.parse(body)
        let hasTools = json["toolConfig"] != nil
        let contentType = "application/vnd.amazon.eventstream"
        if model.hasPrefix("fault-") {
            let text = try fixtures.data("bedrock", "converse_stream_text.bin")
            switch String(model.dropFirst("fault-".count)) {
            case "stream-error": return sse([try fixtures.data("bedrock", "converse_stream_throttled.bin")], delay: nil, closeEarly: false, contentType: contentType)
            case "bad-crc":
                var corrupted = text
                corrupted[corrupted.count / 2] ^= 0xFF
                return sse([corrupted], delay: nil, closeEarly: false, contentType: contentType)
            case "truncate": return sse([Array(text.prefix(text.count / 2))], delay: nil, closeEarly: false, contentType: contentType)
            case let key: return try errorResponse(key, provider: "bedrock")
            }
        }
        if stream {
            let fixture = try fixtures.data("bedrock", hasTools ? "converse_stream_tool_use.bin" : "converse_stream_text.bin")
            // Split across writes at an arbitrary point, as the network would.
            return sse([Array(fixture.prefix(37)), Array(fixture.dropFirst(37))], delay: nil, closeEarly: false, contentType: contentType)
        }
        let fixture = try fixtures.data("bedrock", hasTools ? "converse_tools_response.json" : "converse_response.json")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: fixture)))
    }

    private func bedrockAuthorized(_ request: Request, body: [UInt8]) -> Bool {
        guard let expectedAPIKey else { return true }
        let authorization = request.headers[.authorization] ?? ""
        if authorization == "Bearer \(expectedAPIKey)" { return true }
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 Credential="), let amzDate = HTTPField.Name("x-amz-date").flatMap({ request.headers[$0] }),
            let host = request.head.authority
        else { return false }
        let credential = authorization.dropFirst("AWS4-HMAC-SHA256 Credential=".count).split(separator: ",")[0].split(separator: "/")
        guard credential.count == 5 else { return false }
        let token = HTTPField.Name("x-amz-security-token").flatMap { request.headers[$0] }
        let signer = SigV4Signer(accessKeyID: String(credential[0]), secretAccessKey: expectedAPIKey, sessionToken: token, region: String(credential[2]))
        let expected = signer.sign(
            method: "POST", url: "http://\(host)\(request.uri.string)", contentType: request.headers[.contentType] ?? "", body: body, amzDate: amzDate)
        return expected.authorization == authorization
    }
}
