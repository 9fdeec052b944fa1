import Synchronization

/// A count with an upper bound, shared across threads: what a resource limit needs (open
/// connections, buffered bytes). An addition that would pass the bound takes nothing.
final class BoundedCounter: Sendable {
    let limit: Int
    private let current = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var value: Int { current.load(ordering: .relaxed) }

    /// Adds `amount` when the result stays within `limit`; false (adding nothing) otherwise.
    func add(_ amount: Int) -> Bool {
        guard amount > 0 else { return true }
        if current.wrappingAdd(amount, ordering: .relaxed).newValue > limit {
            current.wrappingSubtract(amount, ordering: .relaxed)
            return false
        }
        return true
    }

    func subtract(_ amount: Int) {
        guard amount > 0 else { return }
        current.wrappingSubtract(amount, ordering: .relaxed)
    }
}
