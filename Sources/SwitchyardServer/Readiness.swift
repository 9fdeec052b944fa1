import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization
import SwitchyardAccounts
import SwitchyardRedis

/// What `/readyz` reports: the store and Redis as a background probe last found them (so the
/// endpoint itself never waits on a database).
///
/// A replica is ready (200) while it can serve: with the store down it still serves cached keys
/// and spools the ledger, so that is reported, not failed. Only Redis down under fail-closed
/// semantics makes it unready (503): it would refuse every limited key, while another replica
/// that still reaches Redis would not.
final class Readiness: Service, Sendable {
    enum State: String, Sendable { case ok, unavailable, disabled }

    private let states = Mutex((store: State.ok, redis: State.disabled))
    let store: any AccountStore
    let redis: RedisClient?
    let redisFailOpen: Bool
    let interval: Duration

    init(store: any AccountStore, redis: RedisClient?, redisFailOpen: Bool, interval: Duration = .seconds(1)) {
        self.store = store
        self.redis = redis
        self.redisFailOpen = redisFailOpen
        self.interval = interval
        if redis != nil { states.withLock { $0.redis = .ok } }
    }

    func run() async throws {
        await probe()
        await Periodic.run(every: interval) { await self.probe() }
    }

    func probe() async {
        let storeState: State = (try? await store.key(id: "readyz-probe")) != nil ? .ok : .unavailable
        var redisState = State.disabled
        if let redis { redisState = (try? await redis.send(RESPCommand("PING"))) == .simpleString("PONG") ? .ok : .unavailable }
        states.withLock { $0 = (storeState, redisState) }
    }

    func response(models: Int) -> Response {
        let (store, redis) = states.withLock { $0 }
        let ready = !(redis == .unavailable && !redisFailOpen)
        let body = #"{"status":"\#(ready ? "ready" : "unavailable")","models":\#(models),"store":"\#(store.rawValue)","redis":"\#(redis.rawValue)"}"#
        return Response(
            status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
