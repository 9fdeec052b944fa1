import Logging
import ServiceLifecycle
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Active health probes (`routing.health_probe_seconds` > 0): every interval each provider gets
/// one cheap request (`GET …/models`); the result feeds the breakers of all its deployments, so a
/// dead provider is taken out before user traffic finds it, and a recovered one comes back early.
struct HealthProber: Service {
    let router: ModelRouter
    let transport: any UpstreamTransport
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Deployments grouped by provider: one probe per provider per round.
        let byProvider = Dictionary(grouping: router.allDeployments, by: \.providerName)
        await Periodic.run(every: interval) {
            for (provider, deployments) in byProvider {
                guard let adapter = deployments.first?.adapter else { continue }
                let healthy = await probe(adapter)
                if !healthy { logger.warning("health probe failed", metadata: ["provider": "\(provider)"]) }
                for deployment in deployments { router.health.recordProbe(deployment.id, healthy: healthy) }
            }
        }
    }

    private func probe(_ adapter: any ProviderAdapter) async -> Bool {
        // Providers without a cheap read endpoint are judged by real traffic only.
        guard let request = adapter.healthProbeRequest() else { return true }
        do {
            let response = try await transport.send(request, timeout: .seconds(5))
            _ = try? await response.collect(upTo: 1 << 20)
            // Only server-side trouble counts: a 4xx (e.g. no /models route) still proves it is up.
            return response.status < 500 && response.status != 401 && response.status != 403
        } catch {
            return false
        }
    }
}
