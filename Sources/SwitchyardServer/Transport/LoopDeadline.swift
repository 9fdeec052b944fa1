import NIOCore

/// A deadline that moves on every request or chunk without a timer each time. One check at a
/// time is scheduled on the event loop: moving the deadline later leaves it pending, and when it
/// fires before the deadline then current it schedules itself again for that. Each NIO scheduled
/// task costs allocations, the loop's task lock and, to cancel it, a linear search of the loop's
/// timer heap (as long as the connections it carries) — three of them per proxied request when
/// the connection guard and the upstream connection each armed and cancelled their own.
///
/// Event-loop confined: made and used on `eventLoop` only.
final class LoopDeadline {
    private let eventLoop: any EventLoop
    private let expired: () -> Void
    /// When `expired` runs; nil while disarmed.
    private var deadline: NIODeadline?
    /// The pending check and when it fires.
    private var check: (scheduled: Scheduled<Void>, at: NIODeadline)?

    /// `expired` runs on the event loop when a deadline passes that was neither moved nor
    /// cleared; it must not capture its owner strongly (the owner holds this).
    init(eventLoop: any EventLoop, expired: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.expired = expired
    }

    /// Expires at `deadline` unless moved or cleared first.
    func set(_ deadline: NIODeadline) {
        self.deadline = deadline
        if let check, check.at <= deadline { return }
        schedule(at: deadline)
    }

    /// Expires `amount` from now unless moved or cleared first.
    func set(in amount: TimeAmount) {
        set(eventLoop.now + amount)
    }

    /// Disarms (a pending check finds nothing due and ends).
    func clear() {
        deadline = nil
    }

    /// Disarms and cancels the pending check: the owner is going away.
    func stop() {
        deadline = nil
        check?.scheduled.cancel()
        check = nil
    }

    private func schedule(at when: NIODeadline) {
        check?.scheduled.cancel()
        let scheduled = eventLoop.assumeIsolated().scheduleTask(deadline: when) { [weak self] () -> Void in self?.fire() }
        check = (scheduled, when)
    }

    private func fire() {
        check = nil
        guard let deadline else { return }
        if deadline <= eventLoop.now {
            self.deadline = nil
            expired()
        } else {
            schedule(at: deadline)
        }
    }
}
