import Foundation
public import SwitchyardCore

/// The adapter for Bedrock Runtime's Converse and ConverseStream APIs, signed with SigV4 (or a
/// Bedrock API key sent as a bearer token). Anthropic-format clients reach Claude models through
/// InvokeModel instead, their body passed through (PROTOCOLS §4: `anthropic_version` in the
/// body, no `model` or `stream`, `anthropic-beta` as `anthropic_beta`).
public struct BedrockAdapter: AnthropicFormatAdapter {
    /// How requests are authenticated.
    public enum Credentials: Sendable {
        case sigV4(SigV4Signer)
        case apiKey(Secret)
    }

    public let providerName: String
    public let baseURL: String
    let credentials: Credentials
    /// Unix seconds now (injectable so signatures are reproducible in tests).
    let now: @Sendable () -> Int64

    public init(providerName: String, baseURL: String?, region: String, credentials: Credentials, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.providerName = providerName
        self.baseURL = AdapterSettings.baseURL(baseURL ?? "https://bedrock-runtime.\(region).amazonaws.com")
        self.credentials = credentials
        self.now = now
    }

    public func chatRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> UpstreamRequest {
        let url = baseURL + "/model/" + PercentEncoding.pathSegment(upstreamModel) + (request.stream ? "/converse-stream" : "/converse")
        return signed(url: url, body: try BedrockConverseEncoder.encode(request))
    }

    public func chatResponse(from body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try BedrockResponseDecoder.decode(body, provider: providerName)
    }

    public func streamTranslator() -> any StreamTranslator { BedrockStreamTranslator(providerName: providerName) }

    /// Bedrock Runtime has no cheap read endpoint: health comes from real traffic (breakers).
    public func healthProbeRequest() -> UpstreamRequest? { nil }

    public func classifyError(status: Int, headers: HeaderList, body: [UInt8]) -> GatewayError {
        BedrockErrorClassifier.classify(provider: providerName, status: status, headers: headers, body: body)
    }

    // MARK: - Anthropic passthrough (InvokeModel)

    /// The `anthropic_version` Bedrock's InvokeModel wants for Claude models.
    public static let anthropicVersion = "bedrock-2023-05-31"

    /// Claude models (`anthropic.claude-…`, inference profiles such as `us.anthropic.claude-…`, ARNs).
    public func speaksAnthropic(upstreamModel: String) -> Bool { upstreamModel.contains("anthropic.claude") }

    public func encodesChatAsMessages(upstreamModel: String) -> Bool { false }

    public func anthropicStreamRelay() -> AnthropicPassthroughRelay {
        AnthropicPassthroughRelay(providerName: providerName, framing: .bedrockAnthropic(BedrockAnthropicFraming()))
    }

    public func messagesRequest(
        _ body: AnthropicMessagesBody, upstreamModel: String, clientHeaders: [(name: String, value: String)]
    ) -> UpstreamRequest {
        var fields = (body.json.fields ?? []).filter { $0.key != "model" && $0.key != "stream" && $0.key != "anthropic_version" }
        fields.insert(.init("anthropic_version", .string(BedrockAdapter.anthropicVersion)), at: 0)
        let betas = clientHeaders.filter { $0.name == "anthropic-beta" }
            .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        if !betas.isEmpty, !fields.contains(where: { $0.key == "anthropic_beta" }) {
            fields.append(.init("anthropic_beta", .array(betas.map(JSONValue.string))))
        }
        let url = baseURL + "/model/" + PercentEncoding.pathSegment(upstreamModel) + (body.stream ? "/invoke-with-response-stream" : "/invoke")
        return signed(url: url, body: JSONValue.object(fields).serialized)
    }

    private func signed(url: String, body: [UInt8]) -> UpstreamRequest {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        switch credentials {
        case .apiKey(let key):
            headers.append(("Authorization", "Bearer " + key.value))
        case .sigV4(let signer):
            let signature = signer.sign(method: "POST", url: url, contentType: "application/json", body: body, amzDate: SigV4Signer.amzDate(unixSeconds: now()))
            headers += signature.headers
        }
        return UpstreamRequest(url: url, headers: headers, body: body)
    }
}
