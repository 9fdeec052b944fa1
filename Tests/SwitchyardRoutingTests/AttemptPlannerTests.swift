import Testing
import SwitchyardCore
@testable import SwitchyardRouting

/// The planner alone: events in, actions out, no clock and no tasks.
@Suite struct AttemptPlannerTests {
    let a = deployment("m", "a"), b = deployment("m", "b"), big = deployment("big", "c"), safe = deployment("safe", "d")
    let long = Duration.seconds(30)

    func planner(attempts: Int = 3, hedge: Duration? = nil, context: [Deployment] = [], policy: [Deployment] = []) -> AttemptPlanner {
        AttemptPlanner(
            plan: RoutePlan(primary: [a, b], onContextLength: context, onContentPolicy: policy), maxAttempts: attempts,
            retryPolicy: RetryPolicy(baseDelay: 0.01, maxDelay: 0.02), hedgeAfter: hedge)
    }

    /// A readable form of an action.
    func show(_ action: AttemptPlanner.Action) -> String {
        switch action {
        case .start(let deployment, let arm): "start \(deployment.providerName)" + (arm.map { " hedge \($0)" } ?? "")
        case .backoff: "backoff"
        case .wait: "wait"
        case .succeed(let deployment): "succeed \(deployment.providerName)"
        case .fail(let error): "fail \(error.kind.rawValue)"
        }
    }

    func step(_ planner: inout AttemptPlanner, _ event: AttemptPlanner.Event, remaining: Duration? = nil) -> String {
        var random = SplitMix64(seed: 7)
        return show(planner.event(event, remaining: remaining ?? long, using: &random))
    }

    @Test func failsOverThenRetriesTheLastAfterABackoffWithinTheAttemptBudget() {
        var p = planner()
        #expect(step(&p, .begin) == "start a")
        #expect(step(&p, .failed(a, .upstreamUnreachable("a"))) == "start b")
        #expect(step(&p, .failed(b, .upstream(.upstreamOverloaded, "busy", status: 529))) == "backoff")
        #expect(step(&p, .backoffElapsed) == "start b")
        #expect(step(&p, .failed(b, .upstream(.upstreamOverloaded, "busy", status: 529))) == "fail upstreamOverloaded")
        #expect(p.attempts == 3)
    }

    @Test func aRequestErrorEndsAtOnceAndABreakerRefusalMovesOn() {
        var p = planner()
        #expect(step(&p, .begin) == "start a")
        #expect(step(&p, .declined(a)) == "start b")
        #expect(step(&p, .failed(b, .upstream(.upstreamInvalidRequest, "bad", status: 400))) == "fail upstreamInvalidRequest")
        var q = planner()
        _ = step(&q, .begin)
        #expect(step(&q, .declined(a)) == "start b")
        #expect(step(&q, .declined(b)) == "fail noHealthyDeployment")
    }

    @Test func contextAndPolicyRejectionsSwitchOnceToTheirFallbacks() {
        var p = planner(context: [big], policy: [safe])
        _ = step(&p, .begin)
        #expect(step(&p, .failed(a, .contextLengthExceeded("long"))) == "start c")
        #expect(step(&p, .failed(big, .contentFiltered("no"))) == "start d")
        #expect(step(&p, .failed(safe, .contextLengthExceeded("long"))) == "fail contextLengthExceeded")
    }

    @Test func theDeadlineStopsNewAttemptsAndBackoffsThatWouldNotFit() {
        var p = planner()
        _ = step(&p, .begin)
        #expect(step(&p, .failed(a, .upstreamTimeout("a")), remaining: .zero) == "fail upstreamTimeout")
        var q = planner()
        _ = step(&q, .begin)
        _ = step(&q, .failed(a, .upstreamTimeout("a")))
        #expect(step(&q, .failed(b, .upstreamTimeout("b")), remaining: .milliseconds(1)) == "fail upstreamTimeout")
    }

    @Test func aHedgeRacesTheSlowFirstAttemptAndTheWinnerEndsIt() {
        var p = planner(hedge: .milliseconds(100))
        #expect(step(&p, .begin) == "start a hedge 0.1 seconds")
        #expect(step(&p, .hedgeTimerFired) == "start b")
        #expect(step(&p, .succeeded(b)) == "succeed b")
        #expect(p.attempts == 2)
    }

    @Test func aHedgeTimerAfterTheFirstAnswerDoesNothing() {
        var p = planner(hedge: .milliseconds(100))
        _ = step(&p, .begin)
        #expect(step(&p, .failed(a, .upstreamUnreachable("a"))) == "start b")
        #expect(step(&p, .hedgeTimerFired) == "wait")
    }

    /// The bug that had a second loop: a hedged race that ends in a context-length error
    /// turns to `context_window_fallbacks` like any other request.
    @Test func aHedgedRaceFallsBackLikeAPlainRequest() {
        var p = planner(hedge: .milliseconds(100), context: [big])
        _ = step(&p, .begin)
        #expect(step(&p, .hedgeTimerFired) == "start b")
        #expect(step(&p, .failed(a, .upstream(.upstreamServerError, "boom", status: 500))) == "wait")
        #expect(step(&p, .failed(b, .contextLengthExceeded("long"))) == "start c")
        #expect(step(&p, .succeeded(big)) == "succeed c")
    }

    @Test func aRefusalDuringARaceWaitsForTheOtherAttempt() {
        var p = planner(hedge: .milliseconds(100))
        _ = step(&p, .begin)
        _ = step(&p, .hedgeTimerFired)
        #expect(step(&p, .failed(b, .upstream(.upstreamInvalidRequest, "bad", status: 400))) == "wait")
        #expect(step(&p, .succeeded(a)) == "succeed a")
    }
}
