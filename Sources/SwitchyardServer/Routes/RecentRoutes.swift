import Synchronization
import SwitchyardRouting

/// The router decisions of the most recent routed requests (request id → decision, caller), so
/// `POST /v1/feedback` can store a verdict with what the router saw. Bounded: the oldest entries
/// go first; nothing of the prompt but its embedding is kept.
final class RecentRoutes: Sendable {
    struct Entry: Sendable {
        var decision: RouteDecision
        var keyID: String?
    }

    let capacity: Int
    private let state: Mutex<State>

    struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var next = 0
    }

    init(capacity: Int = 10_000) {
        self.capacity = capacity
        self.state = Mutex(State())
    }

    func remember(requestID: String, decision: RouteDecision, keyID: String?) {
        state.withLock { state in
            if state.order.count < capacity {
                state.order.append(requestID)
            } else {
                state.entries[state.order[state.next]] = nil
                state.order[state.next] = requestID
                state.next = (state.next + 1) % capacity
            }
            state.entries[requestID] = Entry(decision: decision, keyID: keyID)
        }
    }

    func entry(requestID: String) -> Entry? {
        state.withLock { $0.entries[requestID] }
    }
}
