import Synchronization
import SwitchyardCore
import SwitchyardRouting

/// The routers currently in use, swappable at run time: `POST /admin/reload` rebuilds them from
/// the configuration, re-reading their weights files (so a file written by
/// `switchyard router train --from-feedback` takes effect without a restart).
final class RouterRegistry: Sendable {
    private let configuration: GatewayConfiguration
    private let state: Mutex<RouterSet>

    init(configuration: GatewayConfiguration, routers: RouterSet) {
        self.configuration = configuration
        self.state = Mutex(routers)
    }

    var current: RouterSet { state.withLock { $0 } }

    /// Rebuilds every router; on failure the routers in use stay as they were.
    func reload() throws -> RouterSet {
        let rebuilt = try RouterSet.build(configuration)
        state.withLock { $0 = rebuilt }
        return rebuilt
    }
}
