import Synchronization

/// The bound on upstream response bytes all requests buffer at once (`server.max_buffered_bytes`):
/// a non-streaming answer takes its bytes as they arrive and gives them back when its reader
/// goes, so a burst of large answers gets 503s instead of exhausting memory.
final class BufferBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Bytes buffered now.
    var inUse: Int { used.load(ordering: .relaxed) }

    /// The budget has no room for more bytes.
    struct Exhausted: Error {}

    /// Takes `bytes`, or throws `Exhausted` (taking nothing) when they do not fit.
    func take(_ bytes: Int) throws {
        guard bytes > 0 else { return }
        if used.wrappingAdd(bytes, ordering: .relaxed).newValue > limit {
            used.wrappingSubtract(bytes, ordering: .relaxed)
            throw Exhausted()
        }
    }

    func giveBack(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.wrappingSubtract(bytes, ordering: .relaxed)
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
