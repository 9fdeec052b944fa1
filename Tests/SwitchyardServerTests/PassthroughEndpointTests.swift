import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite
import SwitchyardTesting
import Testing

/// Completions, images, audio, moderations and rerank through the one pipeline: forwarded with
/// only the model changed, failover, keys' allow-lists, and metering in each endpoint's unit.
@Suite struct PassthroughEndpointTests {
    static func edit(_ configuration: inout GatewayConfiguration) {
        // `type: openai` at the fake: prices come from the catalog (dall-e-3 $0.04/image, tts-1 $15/M characters, whisper-1 $0.0001/s).
        let fake = configuration.provider(named: "fake")
        configuration.providers.append(ProviderSettings(name: "openai", type: "openai", baseURL: fake?.baseURL, apiKey: fake?.apiKey))
        configuration.models += [
            ModelSettings(name: "painter", targets: [TargetSettings(provider: "openai", model: "dall-e-3")]),
            ModelSettings(name: "painter-failover", targets: [
                TargetSettings(provider: "openai", model: "fault-500_server_error", weight: 1000), TargetSettings(provider: "openai", model: "dall-e-3"),
            ], price: Price(input: 0, output: 0, perImage: 0.04)),
            ModelSettings(name: "voice", targets: [TargetSettings(provider: "openai", model: "tts-1")]),
            ModelSettings(name: "ears", targets: [TargetSettings(provider: "openai", model: "whisper-1")]),
            ModelSettings(name: "instruct", targets: [TargetSettings(provider: "openai", model: "gpt-3.5-turbo-instruct")]),
            ModelSettings(name: "omni-moderation-latest", targets: [TargetSettings(provider: "openai", model: "omni-moderation-latest")]),
            ModelSettings(
                name: "reranker", targets: [TargetSettings(provider: "fake", model: "jina-reranker-v2-base-multilingual")],
                price: Price(input: 0.05, output: 0, perRequest: 0.002)),
            ModelSettings(name: "mystery", targets: [TargetSettings(provider: "fake", model: "dall-e-3")]),
        ]
        var free = ModelSettings(name: "mystery-allowed", targets: [TargetSettings(provider: "fake", model: "dall-e-3")])
        free.allowUnpriced = true
        configuration.models.append(free)
    }

    static func form(_ fields: [(String, String)], file: (name: String, filename: String, bytes: [UInt8])?, boundary: String = "sy-boundary-7MA4YWxk")
        -> (body: ByteBuffer, contentType: String)
    {
        var bytes: [UInt8] = []
        for (name, value) in fields {
            bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            bytes += file.bytes + Array("\r\n".utf8)
        }
        bytes += Array("--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: bytes), "multipart/form-data; boundary=\(boundary)")
    }

    /// A WAV file of `milliseconds` of 16 kHz 16-bit mono silence.
    static func wav(milliseconds: Int) -> [UInt8] {
        let dataSize = 32 * milliseconds
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        func le16(_ value: Int) -> [UInt8] { (0..<2).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        return Array("RIFF".utf8) + le32(36 + dataSize) + Array("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(16_000) + le32(32_000)
            + le16(2) + le16(16) + Array("data".utf8) + le32(dataSize) + [UInt8](repeating: 0, count: dataSize)
    }

    func cost(_ store: SQLiteAccountStore, model: String, count: Int = 1) async throws -> Money? {
        try await ledgerRequests(store, model: model, count: count)?.cost
    }

    @Test func imagesAreForwardedWithTheUpstreamModelFailOverAndAreMeteredPerImage() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, fake in
            let created = try await createKey(client, #"{"name": "artist", "credits": "1.00", "models": ["painter", "painter-failover"]}"#)
            let body = ByteBuffer(string: #"{"model":"painter","prompt":"a white pixel","n":2,"response_format":"b64_json"}"#)
            try await client.execute(uri: "/v1/images/generations", method: .post, headers: bearer(created.key), body: body) { response in
                #expect(response.status == .ok)
                let data = try json(response.body)["data"] as? [Any]
                #expect(data?.count == 2)
                #expect(response.headers[HTTPField.Name("x-switchyard-cost-usd")!] == "0.08")
            }
            let forwarded = try #require(fake.requests.last)
            #expect(forwarded.path == "/v1/images/generations")
            #expect(forwarded.json?["model"] as? String == "dall-e-3")
            #expect(forwarded.json?["response_format"] as? String == "b64_json", "the rest of the body is the client's")
            let checked1 = try await cost(store, model: "painter")
            #expect(checked1 == Money(decimal: "0.08"), "two images at $0.04")

            let failover = ByteBuffer(string: #"{"model":"painter-failover","prompt":"a white pixel"}"#)
            try await client.execute(uri: "/v1/images/generations", method: .post, headers: bearer(created.key), body: failover) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-attempts")!] == "2")
            }
            // The key's allow-list covers every endpoint.
            let speech = ByteBuffer(string: #"{"model":"voice","input":"hi","voice":"alloy"}"#)
            try await client.execute(uri: "/v1/audio/speech", method: .post, headers: bearer(created.key), body: speech) { response in
                #expect(response.status == .forbidden)
            }
            let tooMany = ByteBuffer(string: #"{"model":"painter","prompt":"x","n":11}"#)
            try await client.execute(uri: "/v1/images/generations", method: .post, headers: bearer(created.key), body: tooMany) { response in
                #expect(response.status == .badRequest)
                let checked2 = try errorObject(response.body)["param"] as? String
                #expect(checked2 == "n")
            }
        }
    }

    @Test func imageEditsForwardTheMultipartFormWithOnlyTheModelReplaced() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, fake in
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 1, 2, 3, 0x0D, 0x0A, 0x2D, 0x2D]
            let (body, contentType) = Self.form([("model", "painter"), ("prompt", "make it blue")], file: ("image", "pixel.png", png))
            var headers = HTTPFields.authorized
            headers[.contentType] = contentType
            try await client.execute(uri: "/v1/images/edits", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
            }
            let forwarded = try #require(fake.requests.last)
            let boundary = try #require(MultipartForm.boundary(contentType: forwarded.headers["content-type"] ?? ""))
            let form = try MultipartForm(bytes: forwarded.body, boundary: boundary)
            #expect(form.text("model") == "dall-e-3")
            #expect(form.text("prompt") == "make it blue")
            #expect(Array(form.bytes[try #require(form.part(named: "image")).content]) == png, "the file's bytes arrive unchanged")

            let (broken, brokenType) = (ByteBuffer(string: "--sy-boundary-7MA4YWxk\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\npainter"), contentType)
            headers[.contentType] = brokenType
            try await client.execute(uri: "/v1/images/edits", method: .post, headers: headers, body: broken) { response in
                #expect(response.status == .badRequest)
                let message = try errorObject(response.body)["message"] as? String
                #expect(message?.contains("multipart") == true)
            }
            headers[.contentType] = "application/json"
            try await client.execute(uri: "/v1/images/edits", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func speechIsStreamedThroughAndMeteredByCharacters() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, _ in
            let input = String(repeating: "Switchyard. ", count: 100)
            let body = ByteBuffer(string: #"{"model":"voice","input":"\#(input)","voice":"alloy"}"#)
            try await client.execute(uri: "/v1/audio/speech", method: .post, headers: .authorized, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "audio/mpeg")
                #expect(response.body.readableBytes == 3 + input.count * FakeUpstream.speechBytesPerCharacter)
            }
            // 1,200 characters at $15 per million.
            let checked3 = try await cost(store, model: "voice")
            #expect(checked3 == Money(decimal: "0.018"))
        }
    }

    @Test func transcriptionsAreMeteredByAudioSecondsAndStreamTheirEvents() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, fake in
            let (body, contentType) = Self.form([("model", "ears")], file: ("file", "hello.wav", Self.wav(milliseconds: 1500)))
            var headers = HTTPFields.authorized
            headers[.contentType] = contentType
            try await client.execute(uri: "/v1/audio/transcriptions", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                let checked4 = try json(response.body)["text"] as? String
                #expect(checked4 == "Switchyard routes every request.")
            }
            #expect(fake.requests.last.flatMap { request in
                MultipartForm.boundary(contentType: request.headers["content-type"] ?? "").flatMap { try? MultipartForm(bytes: request.body, boundary: $0).text("model") }
            } == "whisper-1")
            // The upstream reported 2 s: 2 × $0.0001.
            let checked5 = try await cost(store, model: "ears")
            #expect(checked5 == Money(decimal: "0.0002"))

            let (streamBody, streamType) = Self.form([("model", "ears"), ("stream", "true")], file: ("file", "hello.wav", Self.wav(milliseconds: 1500)))
            headers[.contentType] = streamType
            try await client.execute(uri: "/v1/audio/transcriptions", method: .post, headers: headers, body: streamBody) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                #expect(text.contains("transcript.text.delta") && text.contains("transcript.text.done"))
            }
            // The stream's usage is in tokens; the file's header says 1.5 s: 0.00015 more.
            let checked6 = try await cost(store, model: "ears", count: 2)
            #expect(checked6 == Money(decimal: "0.00035"))

            let (textBody, textType) = Self.form([("model", "ears"), ("response_format", "text")], file: ("file", "a.wav", Self.wav(milliseconds: 500)))
            headers[.contentType] = textType
            try await client.execute(uri: "/v1/audio/translations", method: .post, headers: headers, body: textBody) { response in
                #expect(response.status == .ok, "a text answer is passed through, not refused as malformed")
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(String(buffer: response.body) == "Switchyard routes every request.\n")
            }
            // No usage in a text answer: the file's header says 0.5 s.
            let translated = try await cost(store, model: "ears", count: 3)
            #expect(translated == Money(decimal: "0.0004"))

            let (noFile, noFileType) = Self.form([("model", "ears")], file: nil)
            headers[.contentType] = noFileType
            try await client.execute(uri: "/v1/audio/transcriptions", method: .post, headers: headers, body: noFile) { response in
                #expect(response.status == .badRequest)
                let checked7 = try errorObject(response.body)["param"] as? String
                #expect(checked7 == "file")
            }
        }
    }

    @Test func completionsModerationsAndRerankAreForwarded() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, fake in
            try await client.execute(
                uri: "/v1/completions", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"model":"instruct","prompt":"Say this is a test"}"#)
            ) { response in
                #expect(response.status == .ok)
                let checked8 = try json(response.body)["object"] as? String
                #expect(checked8 == "text_completion")
            }
            // 5 prompt + 7 completion tokens at $1.50 / $2.00 per million.
            let checked9 = try await cost(store, model: "instruct")
            #expect(checked9 == Money(decimal: "0.0000215"))
            try await client.execute(
                uri: "/v1/completions", method: .post, headers: .authorized,
                body: ByteBuffer(string: #"{"model":"instruct","prompt":"Say this is a test","stream":true}"#)
            ) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("text_completion") && text.hasSuffix("data: [DONE]\n\n"))
            }
            #expect((fake.requests.last?.json?["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true, "the gateway asks for usage")
            let checked10 = try await cost(store, model: "instruct", count: 2)
            #expect(checked10 == Money(decimal: "0.0000390"))

            try await client.execute(
                uri: "/v1/moderations", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"input":"I want to route requests"}"#)
            ) { response in
                #expect(response.status == .ok, "no model: the alias named like OpenAI's default serves")
                let results = try json(response.body)["results"] as? [Any]
                #expect(results?.count == 1)
            }
            let rerank = ByteBuffer(string: #"{"model":"reranker","query":"what is switchyard","documents":["Bananas are yellow.","Switchyard is an LLM gateway."],"top_n":2}"#)
            try await client.execute(uri: "/v1/rerank", method: .post, headers: .authorized, body: rerank) { response in
                #expect(response.status == .ok)
                let results = try #require(try json(response.body)["results"] as? [[String: Any]])
                #expect(results.first?["index"] as? Int == 1)
            }
            // One search at $0.002 plus 38 tokens at $0.05 per million.
            let checked11 = try await cost(store, model: "reranker")
            #expect(checked11 == Money(decimal: "0.0020019"))
        }
    }

    @Test func keysThatPayAreRefusedUnpricedModelsWhichAreMarkedAndCounted() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, _ in
            let paying = try await createKey(client, #"{"name": "paying", "credits": "5.00"}"#)
            let body = ByteBuffer(string: #"{"model":"mystery","prompt":"x"}"#)
            try await client.execute(uri: "/v1/images/generations", method: .post, headers: bearer(paying.key), body: body) { response in
                #expect(response.status.code == 402)
                let error = try errorObject(response.body)
                #expect(error["code"] as? String == "unpriced_model")
                #expect((error["message"] as? String)?.contains("allow_unpriced") == true)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(paying.key), body: chatBody("limited")) { response in
                #expect(response.status.code == 402, "chat too: no alias without a price is free for a paying key")
            }
            let allowed = ByteBuffer(string: #"{"model":"mystery-allowed","prompt":"x"}"#)
            try await client.execute(uri: "/v1/images/generations", method: .post, headers: bearer(paying.key), body: allowed) { response in
                #expect(response.status == .ok, "allow_unpriced serves it")
            }
            // A key without credits or budget (the master key here) is served; the row is marked.
            let requestID = try await client.execute(uri: "/v1/images/generations", method: .post, headers: .authorized, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-cost-usd")!] == nil, "no cost header for an unknown cost")
                return response.headers[HTTPField.Name("x-request-id")!] ?? ""
            }
            _ = try await ledgerRequests(store, model: "mystery", count: 1)
            let rows = try await store.ledger(LedgerQuery(model: "mystery"))
            #expect(rows.count == 1 && rows.allSatisfy(\.unpriced))
            let page = try await GatewayHarnessStore.ledger(client, requestID: requestID)
            #expect(page?.contains("<dd>unpriced</dd>") == true, "the dashboard says unpriced, not $0")
            #expect(try await store.key(id: paying.id)?.credits == Money(decimal: "5.00"))
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"switchyard_unpriced_requests_total{model="mystery",provider="fake"} 1"#))
            }
        }
    }

    @Test func modelsShowProviderContextPricingAndCapabilities() async throws {
        try await GatewayHarness.run(edit: { configuration in
            Self.edit(&configuration)
            configuration.models.append(ModelSettings(name: "strong", targets: [TargetSettings(provider: "openai", model: "gpt-4.1")]))
        }) { client, _ in
            try await client.execute(uri: "/v1/models/strong", method: .get, headers: .authorized) { response in
                let object = try json(response.body)
                #expect(object["owned_by"] as? String == "openai")
                #expect(object["context_length"] as? Int == 1_047_576)
                let pricing = try #require(object["pricing"] as? [String: Any])
                #expect(pricing["input"] as? Double == 2 && pricing["output"] as? Double == 8 && pricing["cached_input"] as? Double == 0.5)
                #expect((object["capabilities"] as? [String])?.contains("tools") == true)
            }
            try await client.execute(uri: "/v1/models/mystery", method: .get, headers: .authorized) { response in
                let object = try json(response.body)
                #expect(object["pricing"] is NSNull, "unpriced is null, never zero")
            }
        }
    }
}
