import Synchronization

/// A value set once after the closures that read it were made (two parts that refer to each
/// other: the Redis accountant's seeding reads the ledger queue of the `Accounting` built on it).
final class LateBound<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    var value: Value? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
