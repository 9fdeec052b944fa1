import Foundation
import Hummingbird
import Logging
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// `POST /v1/responses`: to deployments that speak Responses natively the body passes through
/// with only `model` changed; every other deployment gets it translated to chat and answers
/// with Responses objects and events. `previous_response_id` is resolved from the gateway's
/// own store (scoped to the caller's key), so multi-turn conversations work on every provider;
/// answers with `store: true` (the default) are kept there for `GET /v1/responses/{id}`.
struct ResponsesCodec: StreamingIngressCodec {
    let store: any AccountStore
    let retentionSeconds: Int64

    struct Body: Sendable {
        let request: ResponsesRequest
        let previous: StoredResponse?
        /// The whole conversation as input items: the stored history, then this turn's input.
        let items: [JSONValue]
        let canonical: Result<ChatRequest, GatewayError>
        let owner: String
        /// The id of a translated answer (a native upstream names its own).
        let responseID: String
        let createdAt: Int
        let promptBytes: Int
    }

    func decode(_ bytes: [UInt8], request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Body {
        let parsed = try ResponsesRequest(bytes: bytes)
        let owner = context.principal.owner
        var previous: StoredResponse?
        var items = parsed.input
        if let id = parsed.previousResponseID {
            previous = try await Self.stored(id: id, owner: owner, store: store, retentionSeconds: retentionSeconds, param: "previous_response_id")
            if let previous {
                items = Self.items(previous.inputItems) + Self.items(previous.outputItems) + parsed.input
            }
        }
        let canonical: Result<ChatRequest, GatewayError>
        do { canonical = .success(try parsed.canonical(items: items)) } catch { canonical = .failure(error) }
        return Body(
            request: parsed, previous: previous, items: items, canonical: canonical, owner: owner,
            responseID: "resp_" + context.requestID.dropFirst(4), createdAt: Int(Date().timeIntervalSince1970),
            promptBytes: parsed.promptByteCount(items: items))
    }

    func ingress(_ body: Body) -> IngressRequest {
        IngressRequest(
            model: body.request.model, promptBytes: body.promptBytes, maxTokens: body.request.maxOutputTokens, stream: body.request.stream,
            features: { (try? body.canonical.get()).map(RequestFeatures.init) ?? RequestFeatures(text: "") })
    }

    func upstreamRequest(_ body: Body, for deployment: Deployment) throws(GatewayError) -> UpstreamRequest {
        if let adapter = deployment.adapter as? any ResponsesFormatAdapter {
            // The upstream has the conversation only if it served and stored the previous turn.
            let upstreamHasIt = body.previous.map { $0.upstreamStored && $0.provider == deployment.providerName } ?? true
            return adapter.responsesRequest(body.request, upstreamModel: deployment.upstreamModel, history: upstreamHasIt ? nil : body.items)
        }
        return try deployment.chatRequest(try body.canonical.get())
    }

    func streamRelay(_ body: Body, call: UpstreamCall, context: GatewayRequestContext) -> any ClientStreamRelay {
        if call.deployment.adapter is any ResponsesFormatAdapter {
            return ResponsesPassthroughRelay(providerName: call.deployment.providerName)
        }
        let encoder = ResponsesStreamEncoder(object: object(body, model: call.deployment.upstreamModel))
        return TranslatingStreamRelay(translator: call.deployment.adapter.streamTranslator(), encoder: encoder, promptBytes: body.promptBytes)
    }

    func render(_ body: Body, call: UpstreamCall, upstream: ByteBuffer, context: GatewayRequestContext) throws(GatewayError) -> RenderedReply {
        let bytes = Array(upstream.readableBytesView)
        if call.deployment.adapter is any ResponsesFormatAdapter {
            let reported = (try? JSONValue.parse(bytes))?["usage"].flatMap { $0.isObject ? ResponseObject.usage($0) : nil }
            let usage = reported ?? TokenEstimator.usage(promptBytes: body.promptBytes, completionBytes: bytes.count / 2)
            return RenderedReply(body: upstream, usage: usage)
        }
        let answer = try call.deployment.adapter.chatResponse(from: bytes)
        let usage = answer.usage ?? TokenEstimator.usage(promptBytes: body.promptBytes, completionBytes: answer.completionByteCount)
        let object = object(body, model: answer.model.isEmpty ? call.deployment.upstreamModel : answer.model)
        let incomplete = ResponseObject.incompleteReason(answer.finishReason)
        let json = object.json(
            status: incomplete == nil ? "completed" : "incomplete", output: object.output(of: answer), usage: usage, incompleteReason: incomplete)
        return RenderedReply(body: ByteBuffer(bytes: json.serialized), usage: usage)
    }

    /// Keeps the answer (`store: true`) before the client has its last bytes, so a follow-up
    /// naming it as `previous_response_id` finds it.
    func served(_ body: Body, reply: ServedReply, call: UpstreamCall, context: GatewayRequestContext) async {
        guard body.request.store else { return }
        let response: JSONValue?
        switch reply {
        case .buffered(let bytes, _):
            response = try? JSONValue.parse(bytes.readableBytesView)
        case .stream(let relay, _):
            if let native = relay as? ResponsesPassthroughRelay {
                response = native.observer.final
            } else {
                response = (relay as? TranslatingStreamRelay<ResponsesStreamEncoder>)?.clientEncoder.final
            }
        }
        guard let response else { return }
        await keep(
            response, body: body, alias: call.deployment.alias, provider: call.deployment.providerName,
            upstreamStored: call.deployment.adapter is any ResponsesFormatAdapter, context: context)
    }

    /// Stores `response` (when the request says `store: true`), with the conversation it ends.
    private func keep(
        _ response: JSONValue, body: Body, alias: String, provider: String, upstreamStored: Bool, context: GatewayRequestContext
    ) async {
        guard body.request.store, let id = response["id"]?.stringValue else { return }
        let stored = StoredResponse(
            id: id, owner: body.owner, model: alias, provider: provider, upstreamStored: upstreamStored,
            response: response.serialized, inputItems: JSONValue.array(body.items).serialized,
            outputItems: (response["output"] ?? .array([])).serialized, createdAt: Int64(Date().timeIntervalSince1970))
        do {
            try await store.saveResponse(stored)
        } catch {
            context.logger.error("storing a response failed", metadata: ["request_id": "\(context.requestID)", "error": "\(error)"])
        }
    }

    // MARK: - The response cache

    /// The request with `previous_response_id` resolved: the whole conversation is the input,
    /// so a conversation is one key however its turns were sent. `store` does not change the answer.
    func cacheMaterial(_ body: Body) -> CacheMaterial? {
        let json = body.request.json
        let ignored: Set<String> = ["input", "previous_response_id", "store"]
        let fields = (json.fields ?? []).filter { !ignored.contains($0.key) } + [.init("input", .array(body.items))]
        return CacheMaterial(format: "openai-responses", body: .object(fields), temperature: json["temperature"]?.doubleValue)
    }

    /// A stored answer as a new `Response` (its own id), kept like a served one so the next
    /// turn can name it.
    func cachedReply(_ body: Body, answer: CachedAnswer, alias: String, context: GatewayRequestContext) async -> CachedReply? {
        let object = object(body, model: answer.upstreamModel)
        let incomplete = ResponseObject.incompleteReason(answer.response.finishReason)
        let json = object.json(
            status: incomplete == nil ? "completed" : "incomplete", output: object.output(of: answer.response), usage: answer.response.usage,
            incompleteReason: incomplete)
        await keep(json, body: body, alias: alias, provider: answer.provider, upstreamStored: false, context: context)
        return body.request.stream ? .stream(ResponsesStreamEncoder(object: object)) : .json(json.serialized)
    }

    func cacheTranslator(_ body: Body, call: UpstreamCall) -> any StreamTranslator {
        call.deployment.adapter is any ResponsesFormatAdapter
            ? ResponsesStreamTranslator(providerName: call.deployment.providerName) : call.deployment.adapter.streamTranslator()
    }

    func cacheAnswer(_ body: Body, upstream: [UInt8], call: UpstreamCall) -> ChatResponse? {
        guard call.deployment.adapter is any ResponsesFormatAdapter else { return try? call.deployment.adapter.chatResponse(from: upstream) }
        return (try? JSONValue.parse(upstream)).flatMap(ResponseObject.answer(from:))
    }

    private func object(_ body: Body, model: String) -> ResponseObject {
        ResponseObject(id: body.responseID, createdAt: body.createdAt, model: model, request: body.request)
    }

    /// The stored response `id` of `owner` within the retention; a 404 naming `param` otherwise.
    static func stored(id: String, owner: String, store: any AccountStore, retentionSeconds: Int64, param: String?) async throws(GatewayError) -> StoredResponse {
        let found: StoredResponse?
        do {
            found = try await store.response(id: id, owner: owner)
        } catch {
            throw .internalError("The response store could not be read.")
        }
        guard let found, found.createdAt >= Int64(Date().timeIntervalSince1970) - retentionSeconds else {
            throw GatewayError.notFound("Response with id '\(id.excerpt)' not found.", param: param)
        }
        return found
    }

    static func items(_ bytes: [UInt8]) -> [JSONValue] { (try? JSONValue.parse(bytes))?.arrayValue ?? [] }
}
