import Synchronization

/// Where cached answers live: in this process (`MemoryResponseCache`), or shared by a fleet.
protocol ResponseCacheStore: Sendable {
    func answer(for key: String) async -> CachedAnswer?
    func store(_ answer: CachedAnswer, for key: String, ttlSeconds: Double) async
}

/// A least-recently-used map bounded by bytes, with a time to live per entry (pure: the time is
/// given, nothing is read from a clock). Reading an entry makes it the most recent; storing past
/// the bound evicts from the least recent end.
struct ByteBoundedLRU<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var value: Value
        var bytes: Int
        var expiresAt: Double
        var older: String?
        var newer: String?
    }

    let maxBytes: Int
    private(set) var bytes = 0
    private var entries: [String: Entry] = [:]
    private var oldest: String?
    private var newest: String?

    init(maxBytes: Int) {
        self.maxBytes = max(0, maxBytes)
    }

    var count: Int { entries.count }

    /// The live value for `key` at `now`, made the most recent; an expired one is removed.
    mutating func value(for key: String, now: Double) -> Value? {
        guard let entry = entries[key] else { return nil }
        guard entry.expiresAt > now else {
            remove(key)
            return nil
        }
        unlink(key)
        link(key)
        return entry.value
    }

    /// Stores `value` (replacing an entry of the same key), evicting the least recent until it fits.
    /// A value larger than the whole bound is not stored.
    mutating func insert(_ value: Value, bytes: Int, for key: String, expiresAt: Double) {
        remove(key)
        guard bytes <= maxBytes else { return }
        while self.bytes + bytes > maxBytes, let victim = oldest { remove(victim) }
        entries[key] = Entry(value: value, bytes: bytes, expiresAt: expiresAt)
        link(key)
        self.bytes += bytes
    }

    mutating func remove(_ key: String) {
        guard let entry = entries[key] else { return }
        unlink(key)
        entries[key] = nil
        bytes -= entry.bytes
    }

    private mutating func link(_ key: String) {
        entries[key]?.older = newest
        entries[key]?.newer = nil
        if let newest { entries[newest]?.newer = key }
        newest = key
        if oldest == nil { oldest = key }
    }

    private mutating func unlink(_ key: String) {
        guard let entry = entries[key] else { return }
        if let older = entry.older { entries[older]?.newer = entry.newer } else { oldest = entry.newer }
        if let newer = entry.newer { entries[newer]?.older = entry.older } else { newest = entry.older }
        entries[key]?.older = nil
        entries[key]?.newer = nil
    }
}

/// The cache in this process: a `ByteBoundedLRU` behind a lock, the clock injected.
final class MemoryResponseCache: ResponseCacheStore {
    private let lru: Mutex<ByteBoundedLRU<CachedAnswer>>
    private let clock: @Sendable () -> Double

    init(maxBytes: Int, clock: @escaping @Sendable () -> Double) {
        self.lru = Mutex(ByteBoundedLRU(maxBytes: maxBytes))
        self.clock = clock
    }

    func answer(for key: String) async -> CachedAnswer? {
        let now = clock()
        return lru.withLock { $0.value(for: key, now: now) }
    }

    func store(_ answer: CachedAnswer, for key: String, ttlSeconds: Double) async {
        let expiresAt = clock() + ttlSeconds
        lru.withLock { $0.insert(answer, bytes: answer.byteCount, for: key, expiresAt: expiresAt) }
    }

    var byteCount: Int { lru.withLock { $0.bytes } }
    var count: Int { lru.withLock { $0.count } }
}
