import Logging
import SwitchyardRedis

/// The response cache a fleet shares: entries in Redis under `switchyard:cache:<key>` with the
/// gateway's TTL (`SET … PX`), bounded by Redis's own memory policy. A Redis that cannot be
/// reached is a miss (and nothing stored), never a failed request.
struct RedisResponseCache: ResponseCacheStore {
    let client: RedisClient
    let logger: Logger

    static func redisKey(_ key: String) -> String { "switchyard:cache:" + key }

    func answer(for key: String) async -> CachedAnswer? {
        do {
            guard case .bulkString(let bytes?) = try await client.send(RESPCommand("GET", Self.redisKey(key))) else { return nil }
            return CachedAnswer(json: bytes)
        } catch {
            logger.debug("response cache lookup failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func store(_ answer: CachedAnswer, for key: String, ttlSeconds: Double) async {
        let milliseconds = Int64(min(max(ttlSeconds, 0.001), 30 * 86_400) * 1000)
        let command = RESPCommand([Array("SET".utf8), Array(Self.redisKey(key).utf8), answer.json, Array("PX".utf8), Array(String(max(1, milliseconds)).utf8)])
        do {
            _ = try await client.send(command)
        } catch {
            logger.debug("response cache store failed", metadata: ["error": "\(error)"])
        }
    }
}
