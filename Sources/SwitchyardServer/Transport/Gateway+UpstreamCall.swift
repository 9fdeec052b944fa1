import Synchronization
import AsyncHTTPClient
import NIOCore
import NIOPosix
import SwitchyardCore
import SwitchyardRouting
import SwitchyardProviders
import Logging

/// A successful upstream response head, and how the gateway got it.
struct UpstreamCall: Sendable {
    let response: UpstreamResponse
    let deployment: Deployment
    let attempts: Int
    /// Time spent waiting on upstreams (all attempts), up to the successful response head.
    let upstreamWait: Duration
}

extension Gateway {
    /// Sends the request built for each candidate in turn until one answers 2xx; error answers
    /// are classified by that deployment's adapter and drive the executor's failover.
    func call(model: String, build: @Sendable (Deployment) throws -> UpstreamRequest) async throws(GatewayError) -> UpstreamCall {
        var random = SystemRandomNumberGenerator()
        let candidates = try router.candidates(for: model, using: &random)
        let clock = ContinuousClock()
        let waited = WaitAccumulator()
        let result = try await executor.run(candidates: candidates) { deployment in
            let start = clock.now
            defer { waited.add(clock.now - start) }
            let response: UpstreamResponse
            do {
                let request = try build(deployment)
                response = try await transport.send(request, timeout: upstreamTimeout)
            } catch {
                throw GatewayError.transportFailure(error, provider: deployment.providerName)
            }
            guard (200..<300).contains(response.status) else {
                let body = (try? await response.collect(upTo: maxErrorBodyBytes)).map { Array($0.readableBytesView) } ?? []
                let error = deployment.adapter.classifyError(status: response.status, headers: response.headers, body: body)
                logger.warning("upstream error", metadata: [
                    "provider": "\(deployment.providerName)", "status": "\(response.status)", "kind": "\(error.kind.rawValue)",
                ])
                throw error
            }
            return response
        }
        return UpstreamCall(response: result.value, deployment: result.deployment, attempts: result.attempts, upstreamWait: waited.total)
    }
}

/// Sums durations across attempts (attempts are sequential; the lock only satisfies Sendable).
final class WaitAccumulator: Sendable {
    private let storage = Mutex<Duration>(.zero)
    func add(_ duration: Duration) { storage.withLock { $0 += duration } }
    var total: Duration { storage.withLock { $0 } }
}

extension GatewayError {
    /// A failure to get any HTTP answer from a provider.
    static func transportFailure(_ error: any Error, provider: String) -> GatewayError {
        if let error = error as? GatewayError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .upstreamTimeout(provider)
            case .connectTimeout: return .upstreamUnreachable(provider)
            default: break
            }
        }
        return .upstreamUnreachable(provider)
    }
}
