import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

extension Deployment {
    /// The upstream request for a canonical request (a client of another format than the
    /// deployment's), with Anthropic prompt-cache breakpoints when the alias asks for them
    /// (`anthropic_auto_cache`) and the deployment takes Messages bodies. Every codec's
    /// translated path goes through here.
    func chatRequest(_ request: ChatRequest) throws(GatewayError) -> UpstreamRequest {
        var upstream = try adapter.chatRequest(request, upstreamModel: upstreamModel)
        if anthropicAutoCache, let adapter = adapter as? any AnthropicFormatAdapter, adapter.encodesChatAsMessages(upstreamModel: upstreamModel) {
            upstream.body = AnthropicAutoCache.apply(upstream.body)
        }
        return upstream
    }
}
