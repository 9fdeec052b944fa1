import Hummingbird
import SwitchyardCore
import Tracing

/// Opens the server span of each request when tracing is on: continues the caller's W3C
/// `traceparent`, names the span `METHOD /path`, and makes its context current so upstream
/// attempts become child spans (and carry `traceparent` to the provider).
struct RequestTracingMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let tracer: any Tracer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var parent = ServiceContext.topLevel
        tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = RequestSpan(tracer.startSpan("\(request.method.rawValue) \(request.uri.path)", context: parent, ofKind: .server))
        span.span.attributes["http.request.method"] = request.method.rawValue
        span.span.attributes["url.path"] = request.uri.path
        span.span.attributes["switchyard.request_id"] = context.requestID
        var context = context
        context.span = span
        do {
            let response = try await ServiceContext.withValue(span.context) { try await next(request, context) }
            span.span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 500 { span.span.setStatus(SpanStatus(code: .error)) }
            if !span.endsWithStream { span.end() }
            return response
        } catch {
            let status = (error as? GatewayError)?.status ?? (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            span.span.attributes["http.response.status_code"] = status
            span.span.attributes["error.type"] = (error as? GatewayError)?.kind.rawValue ?? String(describing: type(of: error))
            if status >= 500 { span.span.setStatus(SpanStatus(code: .error)) }
            span.end()
            throw error
        }
    }
}
