import Synchronization

/// The conversations that reached a router's strong tier, so their next turns stay there: a
/// bounded set of session keys (the oldest forgotten first), shared by every request of a
/// replica. Keys are the caller's owner, the router and the session (`x-switchyard-session`, or a
/// hash of the system prompt and the first user message).
public final class SessionTiers: Sendable {
    public let capacity: Int
    private let state: Mutex<State>

    struct State {
        var strong: Set<String> = []
        var order: [String] = []
        var next = 0
    }

    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
        self.state = Mutex(State())
    }

    public func isStrong(_ session: String) -> Bool {
        state.withLock { $0.strong.contains(session) }
    }

    public func markStrong(_ session: String) {
        state.withLock { state in
            guard state.strong.insert(session).inserted else { return }
            if state.order.count < capacity {
                state.order.append(session)
            } else {
                state.strong.remove(state.order[state.next])
                state.order[state.next] = session
                state.next = (state.next + 1) % capacity
            }
        }
    }

    public var count: Int { state.withLock { $0.strong.count } }
}
