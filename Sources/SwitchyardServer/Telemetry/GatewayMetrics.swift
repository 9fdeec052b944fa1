import CoreMetrics
import Metrics
import Prometheus
import SwitchyardCore
import SwitchyardRouting
import Synchronization

/// The gateway's metrics: recorded through the swift-metrics API into a Prometheus registry that
/// belongs to one application (so several apps in one process — the tests — never share
/// counters), and rendered by `GET /metrics`. Labels are alias, provider, router and status:
/// never keys, prompts or secrets.
final class GatewayMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let inFlight: CoreMetrics.Meter
    private let overheadTimer: CoreMetrics.Timer

    /// Sub-millisecond buckets for the gateway's own overhead, seconds-scale for upstream time.
    static let overheadBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100),
    ]
    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = GatewayMetrics.latencyBuckets
        factory.durationHistogramBuckets = ["switchyard_overhead_seconds": GatewayMetrics.overheadBuckets]
        self.factory = factory
        inFlight = CoreMetrics.Meter(label: "switchyard_requests_in_flight", factory: factory)
        overheadTimer = CoreMetrics.Timer(label: "switchyard_overhead_seconds", dimensions: [], factory: factory)
    }

    /// A request was admitted (it is in flight until `finished`).
    func started() { inFlight.increment() }
    func finished() { inFlight.decrement() }

    /// One served request (called where it is metered, once).
    struct Served {
        var alias: String
        var provider: String
        var status: Int
        var stream: Bool
        var usage: Usage
        var costUSD: Double
        var latency: Duration
        var upstreamWait: Duration
        var attempts: Int
        var fellBack: Bool
        var route: RouteDecision?
        /// The deployment had no price: its cost of zero is not what the provider bills.
        var unpriced = false
    }

    /// The per-alias/provider handles, made once: building a swift-metrics handle goes through the
    /// factory and the registry's lock every time, which cost ~40% more CPU per request when done
    /// for each served request.
    struct ModelHandles: Sendable {
        let duration: CoreMetrics.Timer
        let upstream: CoreMetrics.Timer
        let timeToFirstByte: CoreMetrics.Timer
        let promptTokens: CoreMetrics.Counter
        let completionTokens: CoreMetrics.Counter
        let cost: CoreMetrics.FloatingPointCounter
        let retries: CoreMetrics.Counter
        let fallbacks: CoreMetrics.Counter
        let unpriced: CoreMetrics.Counter
    }

    struct ModelKey: Hashable, Sendable {
        let alias: String
        let provider: String
    }

    struct RequestKey: Hashable, Sendable {
        let model: ModelKey
        let status: Int
        let stream: Bool
    }

    private let modelHandles = Mutex<[ModelKey: ModelHandles]>([:])
    private let requestCounters = Mutex<[RequestKey: CoreMetrics.Counter]>([:])
    private let routeCounters = Mutex<[[String]: CoreMetrics.Counter]>([:])

    func handles(_ key: ModelKey) -> ModelHandles {
        if let cached = modelHandles.withLock({ $0[key] }) { return cached }
        let model = [("model", key.alias), ("provider", key.provider)]
        let made = ModelHandles(
            duration: CoreMetrics.Timer(label: "switchyard_request_duration_seconds", dimensions: model, factory: factory),
            upstream: CoreMetrics.Timer(label: "switchyard_upstream_duration_seconds", dimensions: model, factory: factory),
            timeToFirstByte: CoreMetrics.Timer(label: "switchyard_time_to_first_byte_seconds", dimensions: model, factory: factory),
            promptTokens: CoreMetrics.Counter(label: "switchyard_tokens_total", dimensions: model + [("kind", "prompt")], factory: factory),
            completionTokens: CoreMetrics.Counter(label: "switchyard_tokens_total", dimensions: model + [("kind", "completion")], factory: factory),
            cost: CoreMetrics.FloatingPointCounter(label: "switchyard_cost_usd_total", dimensions: model, factory: factory),
            retries: CoreMetrics.Counter(label: "switchyard_retries_total", dimensions: model, factory: factory),
            fallbacks: CoreMetrics.Counter(label: "switchyard_fallbacks_total", dimensions: model, factory: factory),
            unpriced: CoreMetrics.Counter(label: "switchyard_unpriced_requests_total", dimensions: model, factory: factory))
        modelHandles.withLock { $0[key] = made }
        return made
    }

    func served(_ request: Served) {
        func nanoseconds(_ duration: Duration) -> Int64 {
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        }
        let modelKey = ModelKey(alias: request.alias, provider: request.provider)
        let requestKey = RequestKey(model: modelKey, status: request.status, stream: request.stream)
        let counter = requestCounters.withLock { $0[requestKey] } ?? {
            let made = CoreMetrics.Counter(
                label: "switchyard_requests_total",
                dimensions: [("model", request.alias), ("provider", request.provider), ("status", String(request.status)), ("stream", String(request.stream))],
                factory: factory)
            requestCounters.withLock { $0[requestKey] = made }
            return made
        }()
        counter.increment()
        let handles = handles(modelKey)
        handles.duration.recordNanoseconds(nanoseconds(request.latency))
        handles.upstream.recordNanoseconds(nanoseconds(request.upstreamWait))
        if request.stream { handles.timeToFirstByte.recordNanoseconds(nanoseconds(request.upstreamWait)) }
        handles.promptTokens.increment(by: request.usage.promptTokens)
        handles.completionTokens.increment(by: request.usage.completionTokens)
        if request.costUSD > 0 { handles.cost.increment(by: request.costUSD) }
        if request.attempts > 1 { handles.retries.increment(by: request.attempts - 1) }
        if request.fellBack { handles.fallbacks.increment() }
        if request.unpriced { handles.unpriced.increment() }
        if let route = request.route {
            let key = [route.router, route.label, route.alias]
            let counter = routeCounters.withLock { $0[key] } ?? {
                let made = CoreMetrics.Counter(
                    label: "switchyard_route_decisions_total", dimensions: [("router", route.router), ("label", route.shadow ? "shadow:" + route.label : route.label), ("model", route.alias)],
                    factory: factory)
                routeCounters.withLock { $0[key] = made }
                return made
            }()
            counter.increment()
        }
    }

    /// The gateway's own time on a request — total minus time waiting on upstreams, up to the
    /// response head (the `x-switchyard-overhead-ms` figure).
    func overhead(_ duration: Duration) {
        let nanoseconds = max(0, duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        overheadTimer.recordNanoseconds(nanoseconds)
    }

    /// What the response cache did for a request of `alias`: `hit`, `miss` or `bypass`; a hit
    /// adds what the answer would have cost to `switchyard_cache_saved_usd_total`.
    func cache(alias: String, result: String, savedUSD: Double = 0) {
        CoreMetrics.Counter(label: "switchyard_cache_requests_total", dimensions: [("model", alias), ("result", result)], factory: factory).increment()
        if savedUSD > 0 {
            CoreMetrics.FloatingPointCounter(label: "switchyard_cache_saved_usd_total", dimensions: [("model", alias)], factory: factory)
                .increment(by: savedUSD)
        }
    }

    /// A request that ended in an error before it was served.
    func rejected(path: String, status: Int) {
        CoreMetrics.Counter(label: "switchyard_errors_total", dimensions: [("path", path), ("status", String(status))], factory: factory).increment()
    }

    /// The Prometheus text exposition, with breaker states read at scrape time.
    func render(router: ModelRouter) -> [UInt8] {
        let deployments = router.allDeployments
        let stats = router.health.snapshot(deployments.map(\.id))
        for deployment in deployments {
            let state: Double = switch stats[deployment.id]?.breaker.state ?? .closed {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
            CoreMetrics.Gauge(
                label: "switchyard_breaker_state", dimensions: [("model", deployment.alias), ("provider", deployment.providerName), ("deployment", deployment.id)],
                factory: factory
            ).record(state)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
