import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardRedis

/// What a replica shares with the rest of its fleet through Redis (`storage.redis`): the
/// accountant that makes limits, credits and budgets hold across replicas, and key-change events.
struct Fleet: Sendable {
    let client: RedisClient
    let accountant: RedisAccountant
    let events: RedisKeyEvents
    let endpoint: RedisEndpoint
    let lease: Duration

    /// nil without `storage.redis`.
    static func make(
        _ storage: StorageSettings, store: any AccountStore, local: LocalAccountant, unflushed: @escaping @Sendable (String) -> Money, logger: Logger
    ) throws -> Fleet? {
        guard let url = storage.redisURL else { return nil }
        let endpoint = try RedisEndpoint(url: url)
        let client = RedisClient(endpoint: endpoint, group: MultiThreadedEventLoopGroup.singleton)
        let lease = Duration.milliseconds(Int64(storage.redisLeaseSeconds * 1000))
        let accountant = RedisAccountant(
            client: client, local: local, failOpen: storage.redisFailOpen, lease: lease, logger: logger
        ) { key, periodStart in
            // The store's figures plus what this replica charged and has not flushed yet.
            let unflushed = unflushed(key.id)
            let stored = try await store.key(id: key.id)
            var spend = Money.zero
            if let periodStart { spend = try await store.spend(keyID: key.id, since: periodStart) }
            return (stored?.credits.map { $0 - unflushed }, spend + unflushed)
        }
        return Fleet(client: client, accountant: accountant, events: RedisKeyEvents(client: client), endpoint: endpoint, lease: lease)
    }

    /// Renews this replica's leases, and listens for key changes announced by the others.
    func services(keys: KeyCache, logger: Logger) -> [any Service] {
        [LeaseRenewal(accountant: accountant, interval: lease / 3), KeyEventListener(endpoint: endpoint, keys: keys, logger: logger)]
    }
}

/// Keeps the leases of this replica's holds alive while their requests run.
struct LeaseRenewal: Service {
    let accountant: RedisAccountant
    let interval: Duration

    func run() async throws {
        await Periodic.run(every: interval) { await accountant.renewLeases() }
    }
}

/// Reloads a key when another replica announces a change to it; after (re)subscribing, reloads
/// every key, since changes announced while disconnected were missed.
struct KeyEventListener: Service {
    let endpoint: RedisEndpoint
    let keys: KeyCache
    let logger: Logger

    func run() async throws {
        let keys = self.keys
        let logger = self.logger
        let subscriber = RedisSubscriber(endpoint: endpoint, group: MultiThreadedEventLoopGroup.singleton)
        await cancelWhenGracefulShutdown {
            await subscriber.run(
                channels: [RedisKeyEvents.channel],
                onMessage: { _, payload in
                    let id = String(decoding: payload, as: UTF8.self)
                    Task {
                        do {
                            try await keys.refresh(id: id)
                        } catch {
                            logger.warning("reloading a changed key failed", metadata: ["key": "\(id)", "error": "\(error)"])
                        }
                    }
                },
                onSubscribed: {
                    do {
                        try await keys.reload()
                    } catch {
                        logger.warning("key reload after subscribing failed", metadata: ["error": "\(error)"])
                    }
                },
                onFailure: { error in logger.warning("key events subscription lost; reconnecting", metadata: ["error": "\(error)"]) })
        }
    }
}
