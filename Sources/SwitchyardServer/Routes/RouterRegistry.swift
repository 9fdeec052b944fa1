import Synchronization
import SwitchyardCore
import SwitchyardRouting

/// The routers currently in use, swappable at run time: `POST /admin/reload` rebuilds them from
/// the configuration, re-reading their weights files (so a file written by
/// `switchyard router train --from-feedback` takes effect without a restart).
final class RouterRegistry: Sendable {
    private let configuration: GatewayConfiguration
    private let state: Mutex<RouterSet>
    /// The configured router names (a reload re-reads weights, not names): lets a request that
    /// names a plain model skip the lock.
    let names: Set<String>

    init(configuration: GatewayConfiguration, routers: RouterSet) {
        self.configuration = configuration
        self.state = Mutex(routers)
        self.names = Set(routers.names)
    }

    /// Whether `model` could name a router (by name, or RouteLLM-style `router-<name>-<threshold>`).
    func mayRoute(_ model: String) -> Bool {
        !names.isEmpty && (names.contains(model) || model.hasPrefix("router-"))
    }

    var current: RouterSet { state.withLock { $0 } }

    /// Rebuilds every router; on failure the routers in use stay as they were.
    func reload() throws -> RouterSet {
        let rebuilt = try RouterSet.build(configuration)
        state.withLock { $0 = rebuilt }
        return rebuilt
    }
}
