import SwitchyardAccounts

/// Key changes announced to every replica: live balance adjustments in Redis, then a PUBLISH of
/// the key's id on `channel`, on which each replica reloads that key from the store (a replica
/// that missed messages while disconnected reloads every key when it subscribes again).
package struct RedisKeyEvents: Sendable {
    package static let channel = "switchyard:keys"

    package enum Change: Sendable, Equatable {
        /// Revoked, renamed, new limits or models: only the cached key changes.
        case edited
        /// A top-up (or a deduction) already in the store: the live balance moves by it.
        case creditsAdded(Money)
        /// The balance was set outright: the live balance is dropped and seeded again from the store.
        case balanceReset
    }

    package let client: RedisClient

    package init(client: RedisClient) {
        self.client = client
    }

    static let topUp = RedisScript("""
        if redis.call('HEXISTS', KEYS[1], 'bal') == 1 then return redis.call('HINCRBY', KEYS[1], 'bal', ARGV[1]) end
        return false
        """)

    package func announce(keyID: String, _ change: Change) async throws(RedisError) {
        switch change {
        case .edited:
            break
        case .creditsAdded(let amount):
            _ = try await client.run(Self.topUp, keys: ["switchyard:{\(keyID)}"], arguments: [String(amount.nanos)])
        case .balanceReset:
            try await client.send(RESPCommand("HDEL", "switchyard:{\(keyID)}", "bal"))
        }
        try await client.send(RESPCommand("PUBLISH", Self.channel, keyID))
    }
}
