import NIOCore
import Synchronization

/// Closes a client connection at a deadline unless cancelled first: the only way to end a write
/// that a client blocks by not reading (back-pressure holds it until TCP gives up otherwise).
final class ConnectionDeadline: Sendable {
    private let scheduled: Scheduled<Void>
    private let state: FiredFlag

    init(channel: any Channel, at deadline: ContinuousClock.Instant) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let nanoseconds = max(0, remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000)
        let flag = FiredFlag()
        self.state = flag
        self.scheduled = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            flag.set()
            channel.close(promise: nil)
        }
    }

    /// Whether the deadline passed and the connection was closed.
    var fired: Bool { state.value }

    func cancel() { scheduled.cancel() }

    final class FiredFlag: Sendable {
        private let storage = Atomic<Bool>(false)
        func set() { storage.store(true, ordering: .relaxed) }
        var value: Bool { storage.load(ordering: .relaxed) }
    }
}
