import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Legacy completions, images, audio, moderations and rerank: the client's body goes to
/// OpenAI-format providers (and Cohere for rerank) with only `model` changed, through the one
/// pipeline — routed with failover, checked against the key, reserved and metered in the unit
/// the provider bills.
struct PassthroughCodec: StreamingIngressCodec {
    let endpoint: PassthroughEndpoint

    func decode(_ bytes: [UInt8], request: Request, context: GatewayRequestContext) throws(GatewayError) -> PassthroughRequest {
        endpoint.multipart
            ? try PassthroughRequest(form: bytes, contentType: request.headers[.contentType] ?? "", endpoint: endpoint)
            : try PassthroughRequest(json: bytes, endpoint: endpoint)
    }

    func ingress(_ body: PassthroughRequest) -> IngressRequest {
        IngressRequest(
            model: body.model, promptBytes: body.promptBytes, maxTokens: body.maxTokens, choices: body.choices, units: body.units, stream: body.stream,
            features: { RequestFeatures(text: "") }, routable: false, jsonAnswer: endpoint.metering != .audioDuration)
    }

    func upstreamRequest(_ body: PassthroughRequest, for deployment: Deployment) throws(GatewayError) -> UpstreamRequest {
        guard let adapter = deployment.adapter as? any PassthroughAdapter, adapter.serves(path: endpoint.path) else {
            throw .invalidRequest(
                "Model `\(deployment.alias)` is served by provider '\(deployment.providerName)', which has no \(endpoint.path) endpoint.", param: "model")
        }
        switch body.body {
        case .json(let scanner, let root):
            var splice = JSONObjectSplice(scanner: scanner, object: root)
            if scanner.member("model", of: root).flatMap({ scanner.string($0.value) }) != deployment.upstreamModel {
                splice.set("model", string: deployment.upstreamModel)
            }
            if body.stream && endpoint.metering == .tokens {
                // Usage in the stream's last chunk, so the gateway meters what the provider counted.
                splice.set("stream_options", rawValue: OpenAICompatibleAdapter.includeUsageObject)
            }
            return adapter.passthroughRequest(path: endpoint.path, body: splice.result(), contentType: "application/json", upstreamModel: deployment.upstreamModel)
        case .form(let form, let contentType):
            return adapter.passthroughRequest(
                path: endpoint.path, body: form.replacing("model", with: deployment.upstreamModel), contentType: contentType,
                upstreamModel: deployment.upstreamModel)
        }
    }

    func render(_ body: PassthroughRequest, call: UpstreamCall, upstream: ByteBuffer, context: GatewayRequestContext) throws(GatewayError) -> RenderedReply {
        let bytes = Array(upstream.readableBytesView)
        let usage = PassthroughUsage.usage(
            of: endpoint, body: bytes, promptBytes: body.promptBytes, requestUnits: body.units, audioDurationKnown: body.audioDurationKnown)
        return RenderedReply(body: upstream, usage: usage, contentType: call.headers["content-type"] ?? "application/json")
    }

    func streamRelay(_ body: PassthroughRequest, call: UpstreamCall, context: GatewayRequestContext) -> any ClientStreamRelay {
        if endpoint.metering == .speechCharacters { return BinaryStreamRelay(characters: body.units.characters) }
        return PassthroughRelay(
            providerName: call.deployment.providerName,
            observer: PassthroughStreamObserver(endpoint: endpoint, requestUnits: body.units, audioDurationKnown: body.audioDurationKnown))
    }

    func streamContentType(_ body: PassthroughRequest, call: UpstreamCall) -> String {
        endpoint.metering == .speechCharacters ? call.headers["content-type"] ?? "application/octet-stream" : "text/event-stream"
    }
}
