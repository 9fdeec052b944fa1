import Synchronization
import AsyncHTTPClient
import NIOCore
import NIOPosix
import SwitchyardCore
import SwitchyardRouting
import SwitchyardProviders
import Logging
import Hummingbird
import Foundation
import Tracing

/// A successful upstream response, and how the gateway got it.
struct UpstreamCall: Sendable {
    let status: Int
    let headers: HeaderList
    let body: UpstreamBodyReader
    let deployment: Deployment
    /// The alias the request asked for (the deployment's differs after a fallback).
    var requestedAlias: String = ""
    let attempts: Int
    /// Time spent waiting on upstreams (all attempts), up to the successful response head.
    let upstreamWait: Duration
    /// When the whole request must be over (streams included).
    let deadline: ContinuousClock.Instant
}

extension Gateway {
    /// The hedge delay of an adaptive alias until it has seen enough requests for a p95.
    static let hedgeDelayWhileLearning = 1.0

    /// Sends the request built for each deployment of the route plan until one answers 2xx (and,
    /// for streams, sends its first byte within the first-byte timeout); errors are classified
    /// by that deployment's adapter and drive the executor's failover, retries and breakers.
    /// `fallbacks` are the request's own (`requestedFallbacks`), read once for admission and here.
    func call(
        model: String, fallbacks: [String], principal: Principal, promptBytes: Int, stream: Bool, jsonAnswer: Bool = true, affinity: () -> UInt64? = { nil },
        build: @escaping @Sendable (Deployment) throws -> UpstreamRequest
    ) async throws(GatewayError) -> UpstreamCall {
        var random = SystemRandomNumberGenerator()
        let plan = try router.plan(
            for: model, extraFallbacks: fallbacks, promptTokens: TokenEstimator.estimate(byteCount: promptBytes), affinity: affinity,
            allows: principal.allows, using: &random)
        let clock = ContinuousClock()
        let waited = WaitAccumulator()
        let firstByteTimeout = self.firstByteTimeout
        let attempt: @Sendable (Deployment, ContinuousClock.Instant) async throws -> Executor.Attempt<UpstreamCall> = { deployment, deadline in
            let start = clock.now
            var span: (any Span)?
            defer {
                waited.add(clock.now - start)
                span?.end()
            }
            let response: UpstreamResponse
            do {
                var upstreamRequest = try build(deployment)
                upstreamRequest.provider = deployment.providerName
                if let authorizer = upstreamRequest.authorizer {
                    try await authorizer.authorize(&upstreamRequest, send: tokenSender(provider: deployment.providerName))
                }
                span = tracer.map { Gateway.attemptSpan($0, deployment: deployment, request: &upstreamRequest) }
                response = try await transport.send(upstreamRequest, timeout: clock.now.duration(to: deadline))
            } catch {
                let failure = GatewayError.transportFailure(error, provider: deployment.providerName)
                span?.attributes["error.type"] = failure.kind.rawValue
                span?.setStatus(SpanStatus(code: .error))
                throw failure
            }
            span?.attributes["http.response.status_code"] = response.status
            guard (200..<300).contains(response.status) else {
                let body = (try? await response.collect(upTo: maxErrorBodyBytes)).map { Array($0.readableBytesView) } ?? []
                let error = deployment.adapter.classifyError(status: response.status, headers: response.headers, body: body)
                span?.attributes["error.type"] = error.kind.rawValue
                span?.setStatus(SpanStatus(code: .error))
                logger.warning("upstream error", metadata: [
                    "provider": "\(deployment.providerName)", "status": "\(response.status)", "kind": "\(error.kind.rawValue)",
                ])
                throw error
            }
            let reader = UpstreamBodyReader(response.body)
            if !stream {
                do {
                    try await reader.readAll(limit: configuration.server.maxResponseBytes, budget: bufferBudget)
                } catch {
                    throw GatewayError.transportFailure(error, provider: deployment.providerName, afterHead: true)
                }
                guard !jsonAnswer || reader.pendingIsJSONObject else {
                    throw GatewayError.upstreamMalformed(deployment.providerName, "the response body is not a JSON object")
                }
            } else {
                do {
                    try await reader.awaitFirstChunk(timeout: min(firstByteTimeout, clock.now.duration(to: deadline)))
                } catch is UpstreamBodyReader.SilenceTimeout {
                    throw GatewayError.upstreamTimeout(deployment.providerName)
                } catch {
                    throw GatewayError.transportFailure(error, provider: deployment.providerName, afterHead: true)
                }
            }
            let call = UpstreamCall(
                status: response.status, headers: response.headers, body: reader, deployment: deployment, attempts: 0, upstreamWait: .zero,
                deadline: deadline)
            return Executor.Attempt(value: call, timeToFirstByte: Executor.seconds(start.duration(to: clock.now)))
        }
        let deadline = clock.now + requestTimeout
        var hedgeAfter: Duration?
        if let hedging = router.group(named: model)?.hedging {
            let seconds: Double
            switch hedging {
            case .after(let fixed): seconds = fixed
            case .adaptive: seconds = router.health.p95TimeToFirstByte(alias: model) ?? Gateway.hedgeDelayWhileLearning
            }
            hedgeAfter = .milliseconds(Int64(seconds * 1000))
        }
        let result = try await executor.run(
            plan: plan, deadline: deadline, tenant: principal.tenant, hedgeAfter: hedgeAfter, attempt: attempt, abandon: { $0.body.cancel() })
        let call = result.value
        return UpstreamCall(
            status: call.status, headers: call.headers, body: call.body, deployment: result.deployment, requestedAlias: model,
            attempts: result.attempts, upstreamWait: waited.total, deadline: call.deadline)
    }
}

extension Gateway {
    /// The aliases a request adds as fallbacks (`x-switchyard-fallbacks: a, b`); the key's
    /// allow-list still decides which of them may be reached.
    static func requestedFallbacks(_ request: Request) -> [String] {
        request.headers[.xSwitchyardFallbacks].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
    }

    /// The client span of one upstream attempt (a child of the request's span), its W3C context
    /// written into the upstream request.
    static func attemptSpan(_ tracer: any Tracer, deployment: Deployment, request: inout UpstreamRequest) -> any Span {
        let span = tracer.startSpan("chat \(deployment.upstreamModel)", context: ServiceContext.current ?? .topLevel, ofKind: .client)
        span.attributes["gen_ai.operation.name"] = "chat"
        span.attributes["gen_ai.provider.name"] = deployment.providerName
        span.attributes["gen_ai.request.model"] = deployment.upstreamModel
        // The authority of `scheme://host[:port]/…`, without the port.
        if let authority = request.url.split(separator: "/", maxSplits: 2).dropFirst().first {
            let host = authority.hasPrefix("[") ? authority : authority.split(separator: ":").first ?? authority
            span.attributes["server.address"] = String(host)
        }
        tracer.inject(span.context, into: &request.headers, using: UpstreamHeadersInjector())
        return span
    }
}

/// Sums durations across attempts (a hedged race runs two at once, so the sum can exceed the wall time).
final class WaitAccumulator: Sendable {
    private let storage = Mutex<Duration>(.zero)
    func add(_ duration: Duration) { storage.withLock { $0 += duration } }
    var total: Duration { storage.withLock { $0 } }
}

extension GatewayError {
    /// A failure to get a whole HTTP answer from a provider; `afterHead` when the response head
    /// had arrived (a failure then is a truncated answer, not a connection failure).
    static func transportFailure(_ error: any Error, provider: String, afterHead: Bool = false) -> GatewayError {
        if let error = error as? GatewayError { return error }
        if error is UpstreamBodyReader.SilenceTimeout { return .upstreamTimeout(provider) }
        if error is UpstreamBodyReader.BodyTooLarge { return .upstreamMalformed(provider, "the response body is larger than the gateway accepts") }
        if error is BufferBudget.Exhausted {
            return .gatewayOverloaded("The gateway is buffering as many upstream bytes as it allows (server.max_buffered_bytes); try again shortly.")
        }
        if let error = error as? HTTP1ExchangeHandler.Failure {
            switch error {
            case .deadlineExceeded: return .upstreamTimeout(provider)
            case .connectionClosed(let beforeResponse): return beforeResponse && !afterHead ? .upstreamUnreachable(provider) : .upstreamTruncated(provider)
            }
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .upstreamTimeout(provider)
            case .connectTimeout: return .upstreamUnreachable(provider)
            default: break
            }
        }
        return afterHead ? .upstreamTruncated(provider) : .upstreamUnreachable(provider)
    }
}

extension Gateway {
    /// How an `UpstreamAuthorizer` reaches its token endpoint: the same transport (and the
    /// provider's TLS settings), a 30 s deadline, an answer of at most 1 MiB.
    func tokenSender(provider: String) -> @Sendable (UpstreamRequest) async throws -> (status: Int, body: [UInt8]) {
        let transport = self.transport
        return { request in
            var request = request
            request.provider = provider
            let response = try await transport.send(request, timeout: .seconds(30))
            return (response.status, Array(try await response.collect(upTo: 1 << 20).readableBytesView))
        }
    }
}
