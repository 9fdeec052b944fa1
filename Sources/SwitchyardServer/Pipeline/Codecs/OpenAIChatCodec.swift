import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// `POST /v1/chat/completions`: forwarded on the same-format fast path to OpenAI-format
/// providers (only `model` and what metering needs are touched), translated through the
/// canonical model for the others (Anthropic, Gemini, Bedrock) — per deployment, so one alias
/// may fail over across formats.
struct OpenAIChatCodec: StreamingIngressCodec {
    func decode(_ bytes: [UInt8], request: Request, context: GatewayRequestContext) throws(GatewayError) -> OpenAIChatRequestBody {
        try OpenAIChatRequestBody(bytes: bytes)
    }

    func ingress(_ body: OpenAIChatRequestBody) -> IngressRequest {
        var ingress = IngressRequest(
            model: body.model, promptBytes: body.messagesByteCount, maxTokens: body.maxTokens, choices: body.choices, stream: body.stream,
            features: { body.requestFeatures })
        ingress.affinity = { PromptAffinity.key(scanner: body.scanner, root: body.root, prefixMembers: ["tools"], turns: "messages") }
        return ingress
    }

    func upstreamRequest(_ body: OpenAIChatRequestBody, for deployment: Deployment) throws(GatewayError) -> UpstreamRequest {
        if let adapter = deployment.adapter as? any OpenAIFormatAdapter {
            return adapter.chatCompletionsRequest(body, upstreamModel: deployment.upstreamModel)
        }
        return try deployment.chatRequest(try body.canonical())
    }

    func streamRelay(_ body: OpenAIChatRequestBody, call: UpstreamCall, context: GatewayRequestContext) -> any ClientStreamRelay {
        if let adapter = call.deployment.adapter as? any OpenAIFormatAdapter {
            let relay = OpenAIStreamRelay(
                providerName: call.deployment.providerName, clientWantsUsage: body.clientWantsUsage, usageLocation: adapter.streamUsage)
            return OpenAIPassthroughRelay(relay: relay)
        }
        let encoder = OpenAIChunkEncoder(
            id: "chatcmpl-" + context.requestID.dropFirst(4), model: call.deployment.upstreamModel, created: Self.now(),
            includeUsage: body.clientWantsUsage)
        return TranslatingStreamRelay(translator: call.deployment.adapter.streamTranslator(), encoder: encoder, promptBytes: body.messagesByteCount)
    }

    func render(_ body: OpenAIChatRequestBody, call: UpstreamCall, upstream: ByteBuffer, context: GatewayRequestContext) throws(GatewayError) -> RenderedReply {
        let bytes = Array(upstream.readableBytesView)
        if let adapter = call.deployment.adapter as? any OpenAIFormatAdapter {
            return RenderedReply(body: upstream, usage: Self.usage(of: bytes, promptBytes: body.messagesByteCount, location: adapter.streamUsage))
        }
        var response = try call.deployment.adapter.chatResponse(from: bytes)
        if response.id.isEmpty { response.id = "chatcmpl-" + context.requestID.dropFirst(4) }
        if response.created == 0 { response.created = Self.now() }
        let usage = response.usage ?? TokenEstimator.usage(promptBytes: body.messagesByteCount, completionBytes: response.completionByteCount)
        let model = response.model.isEmpty ? call.deployment.upstreamModel : response.model
        return RenderedReply(body: ByteBuffer(bytes: OpenAIChatResponseCodec.encode(response, model: model)), usage: usage)
    }

    func cacheMaterial(_ body: OpenAIChatRequestBody) -> CacheMaterial? {
        let json = JSONValue(scanner: body.scanner, span: body.root)
        guard body.choices == 1, json["logprobs"]?.boolValue != true else { return nil }
        return CacheMaterial(format: "openai-chat", body: json, temperature: json["temperature"]?.doubleValue)
    }

    func cachedReply(_ body: OpenAIChatRequestBody, answer: CachedAnswer, alias: String, context: GatewayRequestContext) async -> CachedReply? {
        let id = "chatcmpl-" + context.requestID.dropFirst(4)
        if body.stream {
            return .stream(OpenAIChunkEncoder(id: id, model: answer.upstreamModel, created: Self.now(), includeUsage: body.clientWantsUsage))
        }
        var response = answer.response
        response.id = id
        response.created = Self.now()
        return .json(OpenAIChatResponseCodec.encode(response, model: answer.upstreamModel))
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }


    /// The usage an OpenAI-format body reports, else an estimate.
    static func usage(of response: [UInt8], promptBytes: Int, location: OpenAIStreamUsageLocation) -> Usage {
        let scanner = JSONScanner(response)
        if let root = try? scanner.root(), let usage = OpenAIUsageReader.usage(in: scanner, object: root, location: location) {
            return usage
        }
        return TokenEstimator.usage(promptBytes: promptBytes, completionBytes: response.count / 2)
    }
}
