import SwitchyardCore
import SwitchyardProviders

/// A request to one of the forwarded endpoints (`PassthroughEndpoint`), validated: the model,
/// the body as it came (JSON or a multipart form), and what admission and metering need.
struct PassthroughRequest: Sendable {
    enum Body: Sendable {
        case json(JSONScanner, JSONSpan)
        case form(MultipartForm, contentType: String)
    }

    var model: String
    var body: Body
    var stream = false
    var promptBytes = 0
    var maxTokens: Int?
    var choices = 1
    /// What the request asks for that is billed per unit (images, characters, audio length).
    var units = BilledUnits()
    /// Whether `units.audioMilliseconds` was read from the file's header (else estimated from its size).
    var audioDurationKnown = false

    /// Audio of unknown length is reserved as if it were this many bytes a second (8 kbit/s:
    /// below any speech codec a transcription API takes), so a reservation never falls short.
    static let minimumAudioBytesPerSecond = 1_000
    static let maxImages = 10
    static let maxChoices = 128

    init(model: String, body: Body) {
        self.model = model
        self.body = body
    }
}

/// Reading and validating the client's body: a 400 naming the field for anything wrong.
extension PassthroughRequest {
    init(json bytes: [UInt8], endpoint: PassthroughEndpoint) throws(GatewayError) {
        let scanner = JSONScanner(bytes)
        guard let root = try? scanner.root(), root.kind == .object else { throw .invalidRequest("The request body must be a JSON object.") }
        func member(_ key: String) -> JSONSpan? { scanner.member(key, of: root)?.value }
        func text(_ key: String, required: Bool) throws(GatewayError) -> String? {
            guard let span = member(key), span.kind != .null else {
                if required { throw .invalidRequest("`\(key)` is required.", param: key) }
                return nil
            }
            guard let value = scanner.string(span) else { throw .invalidRequest("`\(key)` must be a string.", param: key) }
            return value
        }
        func count(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(GatewayError) -> Int {
            guard let span = member(key), span.kind != .null else { return value }
            guard let number = scanner.int(span), range.contains(number) else {
                throw .invalidRequest("`\(key)` must be an integer from \(range.lowerBound) to \(range.upperBound).", param: key)
            }
            return number
        }
        func rawSize(_ key: String, required: Bool) throws(GatewayError) -> Int {
            guard let span = member(key), span.kind != .null else {
                if required { throw .invalidRequest("`\(key)` is required.", param: key) }
                return 0
            }
            return span.range.count
        }
        guard let model = try text("model", required: endpoint.defaultModel == nil) ?? endpoint.defaultModel, !model.isEmpty else {
            throw .invalidRequest("`model` is required.", param: "model")
        }
        var request = PassthroughRequest(model: model, body: .json(scanner, root))
        if endpoint.streams, let span = member("stream"), span.kind != .null {
            guard let flag = scanner.bool(span) else { throw .invalidRequest("`stream` must be a boolean.", param: "stream") }
            request.stream = flag
        }
        switch endpoint.metering {
        case .tokens:
            request.promptBytes = try rawSize("prompt", required: true)
            request.maxTokens = try count("max_tokens", default: 16, in: 0...Int(Int32.max))
            request.choices = max(try count("n", default: 1, in: 1...Self.maxChoices), try count("best_of", default: 1, in: 1...Self.maxChoices))
        case .images:
            request.promptBytes = (try text("prompt", required: true) ?? "").utf8.count
            request.units.images = try count("n", default: 1, in: 1...Self.maxImages)
            request.maxTokens = PassthroughEndpoint.maxImageOutputTokens * request.units.images
        case .speechCharacters:
            let input = try text("input", required: true) ?? ""
            request.units.characters = input.count
            request.stream = true
            request.maxTokens = 0
        case .inputEstimate:
            request.promptBytes = try rawSize("input", required: true)
            request.maxTokens = 0
        case .rerank:
            request.promptBytes = (try text("query", required: true) ?? "").utf8.count
            guard let documents = member("documents"), documents.kind == .array else {
                throw .invalidRequest("`documents` must be an array.", param: "documents")
            }
            request.promptBytes += documents.range.count
            request.units.requests = 1
            request.maxTokens = 0
        case .audioDuration:
            throw .invalidRequest("This endpoint takes multipart/form-data.")
        }
        self = request
    }

    init(form bytes: [UInt8], contentType: String, endpoint: PassthroughEndpoint) throws(GatewayError) {
        guard let boundary = MultipartForm.boundary(contentType: contentType) else {
            throw .invalidRequest("This endpoint takes multipart/form-data with a boundary (Content-Type: multipart/form-data; boundary=…).")
        }
        let form: MultipartForm
        do {
            form = try MultipartForm(bytes: bytes, boundary: boundary)
        } catch {
            throw .invalidRequest("The multipart body is malformed: \(error.description).")
        }
        guard let model = form.text("model"), !model.isEmpty else { throw .invalidRequest("`model` is required.", param: "model") }
        var request = PassthroughRequest(model: model, body: .form(form, contentType: contentType))
        if let stream = form.text("stream") {
            guard let flag = Bool(stream.lowercased()) else { throw .invalidRequest("`stream` must be true or false.", param: "stream") }
            request.stream = flag && endpoint.streams
        }
        switch endpoint.metering {
        case .audioDuration:
            guard let file = form.part(named: "file"), file.filename != nil else {
                throw .invalidRequest("`file` (the audio to transcribe) is required.", param: "file")
            }
            if let milliseconds = PassthroughUsage.wavMilliseconds(form.bytes[file.content]) {
                request.units.audioMilliseconds = milliseconds
                request.audioDurationKnown = true
            } else {
                request.units.audioMilliseconds = min(file.content.count, Int.max / 1000) * 1000 / Self.minimumAudioBytesPerSecond
            }
            request.promptBytes = form.text("prompt")?.utf8.count ?? 0
            request.maxTokens = 0
        case .images:
            guard let prompt = form.text("prompt") else { throw .invalidRequest("`prompt` is required.", param: "prompt") }
            guard form.part(named: "image") != nil || form.part(named: "image[]") != nil else {
                throw .invalidRequest("`image` is required.", param: "image")
            }
            request.promptBytes = prompt.utf8.count
            let images = form.text("n").map { Int($0) } ?? 1
            guard let images, (1...Self.maxImages).contains(images) else {
                throw .invalidRequest("`n` must be an integer from 1 to \(Self.maxImages).", param: "n")
            }
            request.units.images = images
            request.maxTokens = PassthroughEndpoint.maxImageOutputTokens * images
        default:
            throw .invalidRequest("This endpoint takes a JSON body.")
        }
        self = request
    }
}
