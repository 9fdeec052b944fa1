import Synchronization

/// The bound on upstream response bytes all requests buffer at once (`server.max_buffered_bytes`):
/// a non-streaming answer takes its bytes as they arrive and gives them back when its reader
/// goes, so a burst of large answers gets 503s instead of exhausting memory.
final class BufferBudget: Sendable {
    private let counter: BoundedCounter

    init(limit: Int) {
        self.counter = BoundedCounter(limit: limit)
    }

    /// Bytes buffered now.
    var inUse: Int { counter.value }

    /// The budget has no room for more bytes.
    struct Exhausted: Error {}

    /// Takes `bytes`, or throws `Exhausted` (taking nothing) when they do not fit.
    func take(_ bytes: Int) throws {
        guard counter.add(bytes) else { throw Exhausted() }
    }

    func giveBack(_ bytes: Int) {
        counter.subtract(bytes)
    }

    /// What one reader holds; given back in full when the lease is released.
    final class Lease: Sendable {
        let budget: BufferBudget
        private let held = Atomic<Int>(0)

        init(budget: BufferBudget) {
            self.budget = budget
        }

        func take(_ bytes: Int) throws {
            try budget.take(bytes)
            held.wrappingAdd(bytes, ordering: .relaxed)
        }

        deinit {
            budget.giveBack(held.load(ordering: .relaxed))
        }
    }
}
