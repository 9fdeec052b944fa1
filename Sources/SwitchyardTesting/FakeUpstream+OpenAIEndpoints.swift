import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SwitchyardCore

/// OpenAI's other endpoints on the fake, as the OpenAPI spec (`Tests/Fixtures/specs`) defines
/// them: legacy completions (JSON or SSE), image generation and edits (multipart), speech
/// (binary audio in 4 KiB chunks), transcriptions and translations (multipart; SSE events when
/// `stream` is true), moderations, and rerank in Jina's (Cohere-compatible) shape. A model named
/// `fault-<key>` answers with the `errors.json` entry `<key>`, so failover can be tested on
/// every endpoint. Bodies missing what the spec requires get OpenAI's 400.
extension FakeUpstream {
    /// Bytes of fake audio per character of speech input (streamed in 4 KiB chunks).
    public static let speechBytesPerCharacter = 256

    func addOpenAIEndpointRoutes(to router: Router<FakeUpstreamContext>) {
        router.post("/v1/completions") { request, context in try await self.completions(request, context: context) }
        router.post("/v1/images/generations") { request, context in try await self.images(request, context: context, multipart: false) }
        router.post("/v1/images/edits") { request, context in try await self.images(request, context: context, multipart: true) }
        router.post("/v1/audio/speech") { request, context in try await self.speech(request, context: context) }
        router.post("/v1/audio/transcriptions") { request, context in try await self.transcription(request, context: context) }
        router.post("/v1/audio/translations") { request, context in try await self.transcription(request, context: context) }
        router.post("/v1/moderations") { request, context in try await self.moderations(request, context: context) }
        router.post("/v1/rerank") { request, context in try await self.rerank(request, context: context) }
    }

    private func json(_ name: String) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try fixtures.data("openai", name))))
    }

    private func invalid(_ message: String, param: String) -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error"); writer.beginObject()
        writer.key("message"); writer.string(message)
        writer.key("type"); writer.string("invalid_request_error")
        writer.key("param"); writer.string(param)
        writer.key("code"); writer.null()
        writer.endObject()
        writer.endObject()
        return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    /// The JSON body's fields, or the form's text fields; a fault response when the model asks for one.
    private func fields(_ request: Request, body: [UInt8], multipart: Bool) throws -> (fields: [String: JSONValue], form: MultipartForm?, fault: Response?) {
        var fields: [String: JSONValue] = [:]
        var form: MultipartForm?
        if multipart {
            guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType] ?? ""),
                let parsed = try? MultipartForm(bytes: body, boundary: boundary)
            else { return ([:], nil, invalid("Expected multipart/form-data.", param: "file")) }
            form = parsed
            for part in parsed.parts where part.filename == nil { fields[part.name] = parsed.text(part.name).map(JSONValue.string) }
        } else {
            guard let value = try? JSONValue.parse(body), let members = value.fields else {
                return ([:], nil, invalid("We could not parse the JSON body of your request.", param: "body"))
            }
            for member in members { fields[member.key] = member.value }
        }
        guard authorized(request) else { return (fields, form, try errorResponse("401_invalid_key")) }
        guard let model = fields["model"]?.stringValue else { return (fields, form, invalid("you must provide a model parameter", param: "model")) }
        if model.hasPrefix("fault-") { return (fields, form, try errorResponse(String(model.dropFirst("fault-".count)))) }
        return (fields, form, nil)
    }

    private func completions(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        let (fields, _, fault) = try fields(request, body: body, multipart: false)
        if let fault { return fault }
        guard fields["prompt"] != nil else { return invalid("prompt is required", param: "prompt") }
        if fields["stream"]?.boolValue == true {
            var events = try fixtures.sseEvents("openai", "completions_stream.sse")
            if fields["stream_options"]?["include_usage"]?.boolValue != true { events.removeAll { String(decoding: $0, as: UTF8.self).contains("\"usage\"") } }
            return sse(events, delay: nil, closeEarly: false)
        }
        return try json("completions_response.json")
    }

    private func images(_ request: Request, context: FakeUpstreamContext, multipart: Bool) async throws -> Response {
        let body = try await record(request, context: context)
        let (fields, form, fault) = try fields(request, body: body, multipart: multipart)
        if let fault { return fault }
        guard fields["prompt"]?.stringValue != nil else { return invalid("prompt is required", param: "prompt") }
        if multipart, form?.part(named: "image") == nil && form?.part(named: "image[]") == nil {
            return invalid("image is required", param: "image")
        }
        let count = fields["n"]?.intValue ?? fields["n"]?.stringValue.flatMap { Int($0) } ?? 1
        guard (1...10).contains(count) else { return invalid("n must be between 1 and 10", param: "n") }
        var response = try JSONValue.parse(try fixtures.data("openai", "images_response.json"))
        if case .object(var members) = response, let index = members.firstIndex(where: { $0.key == "data" }),
            let first = members[index].value.arrayValue?.first
        {
            members[index].value = .array(Array(repeating: first, count: count))
            response = .object(members)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: response.serialized)))
    }

    private func speech(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        let (fields, _, fault) = try fields(request, body: body, multipart: false)
        if let fault { return fault }
        guard let input = fields["input"]?.stringValue else { return invalid("input is required", param: "input") }
        guard fields["voice"] != nil else { return invalid("voice is required", param: "voice") }
        let format = fields["response_format"]?.stringValue ?? "mp3"
        let contentType = ["mp3": "audio/mpeg", "wav": "audio/wav", "opus": "audio/opus", "aac": "audio/aac", "flac": "audio/flac", "pcm": "audio/pcm"][format]
            ?? "application/octet-stream"
        let audio = Array("ID3".utf8) + (0..<(input.count * Self.speechBytesPerCharacter)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let chunks = stride(from: 0, to: audio.count, by: 4096).map { Array(audio[$0..<min(audio.count, $0 + 4096)]) }
        return sse(chunks, delay: nil, closeEarly: false, contentType: contentType)
    }

    private func transcription(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        let (fields, form, fault) = try fields(request, body: body, multipart: true)
        if let fault { return fault }
        guard let file = form?.part(named: "file"), file.filename != nil, !file.content.isEmpty else {
            return invalid("file is required", param: "file")
        }
        if fields["stream"]?.stringValue == "true" {
            return sse(try fixtures.sseEvents("openai", "transcription_stream.sse"), delay: nil, closeEarly: false)
        }
        switch fields["response_format"]?.stringValue ?? "json" {
        case "text":
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Switchyard routes every request.\n")))
        default:
            return try json("transcription_response.json")
        }
    }

    private func moderations(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        // The model is optional here (the spec's default is omni-moderation-latest).
        guard let value = try? JSONValue.parse(body), value.isObject, value["input"] != nil else { return invalid("input is required", param: "input") }
        guard authorized(request) else { return try errorResponse("401_invalid_key") }
        if let model = value["model"]?.stringValue, model.hasPrefix("fault-") { return try errorResponse(String(model.dropFirst("fault-".count))) }
        return try json("moderations_response.json")
    }

    private func rerank(_ request: Request, context: FakeUpstreamContext) async throws -> Response {
        let body = try await record(request, context: context)
        let (fields, _, fault) = try fields(request, body: body, multipart: false)
        if let fault { return fault }
        guard fields["query"]?.stringValue != nil else { return invalid("query is required", param: "query") }
        guard fields["documents"]?.arrayValue != nil else { return invalid("documents is required", param: "documents") }
        return try json("rerank_response.json")
    }
}
