import HTTPTypes
import Logging
import OTel
import Synchronization
import ServiceLifecycle
import SwitchyardCore
import SwitchyardRouting
import Tracing

/// OpenTelemetry tracing for one gateway application: a tracer exporting over OTLP/HTTP, built per
/// application (not bootstrapped process-wide) so tests and embedders can run several. Off unless
/// `tracing.otlp_endpoint` is set; the standard `OTEL_*` environment variables override the file.
enum GatewayTracing {
    /// The tracer and the service that batches and exports its spans, or nil when tracing is off.
    static func make(_ settings: TracingSettings, logger: Logger) throws -> (tracer: any Tracer, service: any Service)? {
        guard let endpoint = settings.otlpEndpoint else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/v1/traces") ? endpoint : String(endpoint.reversed().drop { $0 == "/" }.reversed()) + "/v1/traces"
        configuration.traces.otlpExporter.protocol = settings.otlpProtocol == "http/json" ? .httpJSON : .httpProtobuf
        configuration.traces.otlpExporter.headers = settings.headers.map { ($0.key, $0.value.value) }
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.sampleRatio) ?? .parentBasedAlwaysOn
        configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        configuration.diagnosticLogger = .custom(logger)
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return (backend.factory, backend.service)
    }
}

/// The server span of one request. Its end is idempotent: a streamed answer's span ends when the
/// stream was metered, every other one when the handler returned.
final class RequestSpan: Sendable {
    let span: any Span
    private let state = Mutex((ended: false, endsWithStream: false))

    init(_ span: any Span) {
        self.span = span
    }

    var context: ServiceContext { span.context }

    /// The answer is a stream: the span stays open until `served` ends it.
    func endWithStream() {
        state.withLock { $0.endsWithStream = true }
    }

    var endsWithStream: Bool { state.withLock { $0.endsWithStream } }

    /// Records what the gateway served (GenAI semantic conventions) and, for streams, ends the span.
    func served(call: UpstreamCall, usage: Usage, status: Int, route: String?) {
        span.attributes["gen_ai.request.model"] = call.requestedAlias.isEmpty ? call.deployment.alias : call.requestedAlias
        span.attributes["gen_ai.response.model"] = call.deployment.upstreamModel
        span.attributes["gen_ai.provider.name"] = call.deployment.providerName
        span.attributes["gen_ai.usage.input_tokens"] = usage.promptTokens
        span.attributes["gen_ai.usage.output_tokens"] = usage.completionTokens
        span.attributes["switchyard.model"] = call.deployment.alias
        span.attributes["switchyard.attempts"] = call.attempts
        if let route { span.attributes["switchyard.route"] = route }
        if status >= 400 { span.setStatus(SpanStatus(code: .error)) }
        if endsWithStream { end() }
    }

    func end() {
        let first = state.withLock { state in
            defer { state.ended = true }
            return !state.ended
        }
        if first { span.end() }
    }
}

/// Reads W3C trace context from request headers.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}

/// Writes W3C trace context into an upstream request's headers.
struct UpstreamHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(name: String, value: String)]) {
        carrier.removeAll { HeaderList.namesMatch($0.name, key) }
        carrier.append((name: key, value: value))
    }
}
