import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// `POST /v1/messages/count_tokens`: asked of an Anthropic-format deployment of the model when
/// it has one (the body as it came, `model` changed), estimated by the gateway otherwise
/// (`x-switchyard-estimated: true`). Counting is free: nothing is reserved or metered.
struct CountTokensRoute: Sendable {
    let gateway: Gateway

    func handle(_ request: Request, context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let bytes = try await RequestBodyReader.read(request, limit: gateway.configuration.server.maxBodyBytes)
        let (scanner, root) = try JSONScanner.requestObject(bytes)
        let json = JSONValue(scanner: scanner, span: root)
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            throw .invalidRequest("model: Field required (a non-empty string).", param: "model")
        }
        guard json["messages"]?.arrayValue != nil else { throw .invalidRequest("messages: Field required (an array of messages).", param: "messages") }
        try context.principal.authorize(model: model)
        var random = SystemRandomNumberGenerator()
        let plan = try gateway.router.plan(for: model, allows: context.principal.allows, using: &random)
        for deployment in plan.primary {
            guard let adapter = deployment.adapter as? any AnthropicTokenCounter else { continue }
            var upstream = try adapter.countTokensRequest(
                bytes, upstreamModel: deployment.upstreamModel, clientHeaders: AnthropicMessagesCodec.anthropicHeaders(request))
            upstream.provider = deployment.providerName
            let answer: UpstreamResponse
            let body: [UInt8]
            do {
                answer = try await gateway.transport.send(upstream, timeout: gateway.requestTimeout)
                body = Array(try await answer.collect(upTo: gateway.configuration.server.maxResponseBytes).readableBytesView)
            } catch {
                throw GatewayError.transportFailure(error, provider: deployment.providerName)
            }
            guard (200..<300).contains(answer.status) else {
                throw adapter.classifyError(status: answer.status, headers: answer.headers, body: body)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .requestID: context.requestID, .xSwitchyardProvider: deployment.providerName],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        let estimate = TokenEstimator.estimate(byteCount: AnthropicMessagesBody.estimatedPromptBytes(json))
        return Response(
            status: .ok, headers: [.contentType: "application/json", .requestID: context.requestID, .xSwitchyardEstimated: "true"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONValue.record(["input_tokens": .int(estimate)]).serialized)))
    }
}
