import SwitchyardAccounts
import SwitchyardCore
import SwitchyardTesting
import Testing
@testable import SwitchyardRedis

/// The admission core without Redis: what the script is sent, and what every reply means.
@Suite struct RedisAdmissionTests {
    let key = AccountantConformance.key("core", credits: Money(nanos: 5_000), rpm: 60, tpm: 1_000, maxParallel: 2)

    func admission(estimate: Money? = Money(nanos: 700)) -> RedisAdmission {
        RedisAdmission(AdmissionRequest(key: key, requestID: "req_1", estimatedTokens: 42, estimate: estimate), lease: .milliseconds(2500))
    }

    @Test func sendsTheLimitsTheReservationAndTheLeaseInMilliseconds() {
        #expect(admission().arguments == ["req_1", "2500", "700", "42", "60", "1000", "2", "1", ""])
        // A hostile estimate is clamped to what Lua compares exactly; a negative one holds nothing.
        #expect(admission(estimate: Money(nanos: .max)).arguments[2] == String(RedisAccountant.maxAmount.nanos))
        #expect(admission(estimate: Money(nanos: -5)).arguments[2] == "0")
        #expect(RedisAdmission.milliseconds(.seconds(Int64.max)) == .max)
    }

    @Test func anAdmittedRequestHoldsItsReservationInRedis() throws {
        guard case .admitted(let hold) = try admission().verdict(.array([.bulk("ok")])) else { Issue.record("not admitted"); return }
        #expect(hold == Hold(keyID: key.id, requestID: "req_1", amount: Money(nanos: 700), estimatedTokens: 42, countsParallel: true, tpm: true, place: .shared))
        guard case .needsSeed = try admission().verdict(.array([.bulk("seed")])) else { Issue.record("not a seed request"); return }
    }

    @Test(arguments: [
        (RESPValue.array([.bulk("parallel")]), 429, "max_parallel 2"),
        (.array([.bulk("rpm"), .bulk("1500")]), 429, "60 requests per minute"),
        (.array([.bulk("tpm"), .integer(60_000)]), 429, "1000 tokens per minute"),
        (.array([.bulk("credits"), .bulk("300")]), 402, "Insufficient credits"),
        (.array([.bulk("budget"), .bulk("-9")]), 402, "Insufficient budget"),
    ])
    func refusalsBecomeTheCallersErrors(_ reply: RESPValue, _ status: Int, _ says: String) throws {
        guard case .refused(let error) = try admission().verdict(reply) else { Issue.record("admitted"); return }
        #expect(error.status == status)
        #expect(error.message.contains(says), "\(error.message)")
        if reply.elements?.first?.string == "rpm" {
            #expect(error.retryAfterSeconds == 2)
            #expect(error.headers["x-ratelimit-limit-requests"] == "60" && error.headers["x-ratelimit-reset-requests"] == "2s")
        }
        if reply.elements?.first?.string == "budget" { #expect(error.message.contains("has 0.00 USD available")) }
    }

    @Test(arguments: [RESPValue.array(nil), .array([]), .error("ERR"), .integer(1), .bulk("ok"), .array([.bulk("nonsense")])])
    func aReplyTheScriptCannotSendIsAnError(_ reply: RESPValue) {
        #expect(throws: RedisError.self) { try admission().verdict(reply) }
    }

    @Test func anAbsurdWaitIsCappedAtAnHour() throws {
        guard case .refused(let error) = try admission().verdict(.array([.bulk("rpm"), .integer(.max)])) else { Issue.record("admitted"); return }
        #expect(error.retryAfterSeconds == 3600)
    }
}
