public import Hummingbird
import NIOCore
import SwitchyardRouting

/// Per-request context: Hummingbird's core storage plus the gateway's request id and start time.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id echoed in `x-request-id` and logged with the request.
    public var requestID: String = ""
    /// When the gateway started handling the request (for latency and overhead figures).
    public var startedAt: ContinuousClock.Instant = .now
    /// Who is calling, set by `AuthMiddleware`.
    var principal: Principal = .anonymous
    /// The router's decision when the request named a router (`x-switchyard-route`, ledger `route`).
    var route: RouteDecision?
    /// The server span when tracing is on.
    var span: RequestSpan?
    /// The wire format errors are rendered in.
    public var errorFormat: ErrorFormat = .openAI
    /// The client connection (a stream whose client stops reading is cut by closing it).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The wire formats the gateway answers in.
    public enum ErrorFormat: Sendable { case openAI, anthropic }
}
