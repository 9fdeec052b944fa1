import NIOCore
import NIOEmbedded
import Testing
@testable import SwitchyardServer

/// `LoopDeadline` on an event loop whose time the test moves.
@Suite struct LoopDeadlineTests {
    final class Fired {
        var count = 0
    }

    func make(_ loop: EmbeddedEventLoop) -> (LoopDeadline, Fired) {
        let fired = Fired()
        return (LoopDeadline(eventLoop: loop) { fired.count += 1 }, fired)
    }

    @Test func expiresOnceAtItsDeadline() {
        let loop = EmbeddedEventLoop()
        let (deadline, fired) = make(loop)
        deadline.set(in: .milliseconds(10))
        loop.advanceTime(by: .milliseconds(9))
        #expect(fired.count == 0)
        loop.advanceTime(by: .milliseconds(1))
        #expect(fired.count == 1)
        loop.advanceTime(by: .seconds(10))
        #expect(fired.count == 1)
    }

    @Test func aDeadlineMovedLaterExpiresAtTheNewTime() {
        let loop = EmbeddedEventLoop()
        let (deadline, fired) = make(loop)
        deadline.set(in: .milliseconds(10))
        loop.advanceTime(by: .milliseconds(5))
        deadline.set(in: .milliseconds(10))  // now due at 15 ms; the check at 10 ms finds it early
        loop.advanceTime(by: .milliseconds(5))
        #expect(fired.count == 0)
        loop.advanceTime(by: .milliseconds(4))
        #expect(fired.count == 0)
        loop.advanceTime(by: .milliseconds(1))
        #expect(fired.count == 1)
    }

    @Test func aDeadlineMovedEarlierExpiresAtTheNewTime() {
        let loop = EmbeddedEventLoop()
        let (deadline, fired) = make(loop)
        deadline.set(in: .seconds(100))
        deadline.set(in: .milliseconds(10))
        loop.advanceTime(by: .milliseconds(10))
        #expect(fired.count == 1)
        loop.advanceTime(by: .seconds(100))
        #expect(fired.count == 1)
    }

    @Test func aClearedDeadlineDoesNotExpireAndCanBeSetAgain() {
        let loop = EmbeddedEventLoop()
        let (deadline, fired) = make(loop)
        deadline.set(in: .milliseconds(10))
        deadline.clear()
        loop.advanceTime(by: .milliseconds(20))
        #expect(fired.count == 0)
        deadline.set(in: .milliseconds(10))
        loop.advanceTime(by: .milliseconds(10))
        #expect(fired.count == 1)
        // Re-armed after expiring, as a connection does for its next request.
        deadline.set(in: .milliseconds(10))
        deadline.clear()
        deadline.set(in: .milliseconds(30))
        loop.advanceTime(by: .milliseconds(29))
        #expect(fired.count == 1)
        loop.advanceTime(by: .milliseconds(1))
        #expect(fired.count == 2)
    }

    @Test func aStoppedDeadlineNeverExpires() {
        let loop = EmbeddedEventLoop()
        let (deadline, fired) = make(loop)
        deadline.set(in: .milliseconds(10))
        deadline.stop()
        loop.advanceTime(by: .seconds(1))
        #expect(fired.count == 0)
    }
}
