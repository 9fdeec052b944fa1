import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// What an ingress codec reads off a request for the shared steps of the pipeline: routing,
/// admission and execution (DESIGN §1 steps 3–6).
struct IngressRequest: Sendable {
    /// The model (alias or router) the client asked for.
    var model: String
    /// Bytes of prompt content: the input to token estimates and reservations.
    var promptBytes: Int
    /// The most output tokens the request may produce per answer (nil: the gateway's default).
    var maxTokens: Int?
    var choices = 1
    /// What the request asks for that is billed per unit (images, characters, audio), for its reservation.
    var units = BilledUnits()
    var stream: Bool
    /// The features a router looks at, computed only when a router decides.
    var features: @Sendable () -> RequestFeatures
    /// Whether `model` may name a router (routers choose between chat models).
    var routable = true
    /// The long prompt prefix's affinity key (`PromptAffinity`), computed only when routing needs it.
    var affinity: @Sendable () -> UInt64? = { nil }
    /// Whether a buffered answer must be a JSON object (transcriptions may answer in text, SRT or VTT).
    var jsonAnswer = true
}

/// One client API's half of the pipeline (DESIGN §1 step 2): reads the client's request, builds
/// the request for whichever deployment the executor picks, and renders the answer in the
/// client's format. Everything between (route, admit, execute, meter) is `Pipeline`'s.
protocol IngressCodec: Sendable {
    associatedtype Body: Sendable
    /// Parses and validates the client's body (a 400 naming the field for anything wrong).
    func decode(_ bytes: [UInt8], request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Body
    func ingress(_ body: Body) -> IngressRequest
    /// The upstream request for one deployment (a 400 naming the field when the request
    /// uses something that deployment's format has no equivalent for).
    func upstreamRequest(_ body: Body, for deployment: Deployment) throws(GatewayError) -> UpstreamRequest
    /// A buffered answer in the client's format, with the usage to meter.
    func render(_ body: Body, call: UpstreamCall, upstream: ByteBuffer, context: GatewayRequestContext) throws(GatewayError) -> RenderedReply
    /// Headers this endpoint adds to every answer.
    func responseHeaders(call: UpstreamCall, context: GatewayRequestContext) -> HTTPFields
    /// Runs once a request is served and metered, before the client has the answer's last
    /// bytes (a stored response must be readable by the time the client can ask for it).
    func served(_ body: Body, reply: ServedReply, call: UpstreamCall, context: GatewayRequestContext) async
    /// The request as the response cache keys it; nil when it cannot be answered from the cache
    /// (an API without a cache, several choices, log probabilities).
    func cacheMaterial(_ body: Body) -> CacheMaterial?
    /// A stored answer in the client's format, served by `alias`; nil when this API cannot
    /// replay one. (An API that keeps its answers — Responses — keeps this one too.)
    func cachedReply(_ body: Body, answer: CachedAnswer, alias: String, context: GatewayRequestContext) async -> CachedReply?
    /// What the cache reads a streamed upstream answer with, into the canonical model (default:
    /// the deployment's translator; an API passed through in its own format brings its own).
    func cacheTranslator(_ body: Body, call: UpstreamCall) -> any StreamTranslator
    /// A buffered upstream answer in the canonical model, for the cache; nil: not kept.
    func cacheAnswer(_ body: Body, upstream: [UInt8], call: UpstreamCall) -> ChatResponse?
}

/// What the response cache keys a request by.
struct CacheMaterial: Sendable {
    /// The client API (`openai-chat`, `anthropic-messages`): one format's answers are never another's key.
    var format: String
    var body: JSONValue
    var temperature: Double?
}

/// A cached answer as the client gets it.
enum CachedReply: Sendable {
    case json([UInt8])
    /// Replayed as the events of a stream (`CacheReplay`), written by this encoder.
    case stream(any ClientStreamEncoder)
}

/// A codec for an API that streams (`"stream": true`).
protocol StreamingIngressCodec: IngressCodec {
    /// The relay that turns the upstream stream into the client's.
    func streamRelay(_ body: Body, call: UpstreamCall, context: GatewayRequestContext) -> any ClientStreamRelay
    /// The streamed answer's content type (default `text/event-stream`).
    func streamContentType(_ body: Body, call: UpstreamCall) -> String
}

extension StreamingIngressCodec {
    func streamContentType(_ body: Body, call: UpstreamCall) -> String { "text/event-stream" }
}

extension IngressCodec {
    func responseHeaders(call: UpstreamCall, context: GatewayRequestContext) -> HTTPFields { [:] }
    func served(_ body: Body, reply: ServedReply, call: UpstreamCall, context: GatewayRequestContext) async {}
    func cacheMaterial(_ body: Body) -> CacheMaterial? { nil }
    func cachedReply(_ body: Body, answer: CachedAnswer, alias: String, context: GatewayRequestContext) async -> CachedReply? { nil }
    func cacheTranslator(_ body: Body, call: UpstreamCall) -> any StreamTranslator { call.deployment.adapter.streamTranslator() }
    func cacheAnswer(_ body: Body, upstream: [UInt8], call: UpstreamCall) -> ChatResponse? {
        try? call.deployment.adapter.chatResponse(from: upstream)
    }
}

/// A buffered answer in the client's format.
struct RenderedReply: Sendable {
    var body: ByteBuffer
    var usage: Usage
    var contentType = "application/json"
}

/// How a request was answered, for `IngressCodec.served`.
enum ServedReply: Sendable {
    case buffered(ByteBuffer, status: Int)
    /// The relay as the stream ended, and the status the ledger records.
    case stream(any ClientStreamRelay, status: Int)
}
