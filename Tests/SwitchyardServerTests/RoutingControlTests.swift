import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardStoreSQLite
import SwitchyardTesting
import Testing

/// A learned router's controls through the server: overrides per team, the share header, budget
/// pressure, sticky sessions, shadow mode, and the report's savings against a hand computation.
@Suite struct RoutingControlTests {
    static let route = HTTPField.Name("x-switchyard-route")!
    static let model = HTTPField.Name("x-switchyard-model")!
    static let share = HTTPField.Name("x-switchyard-strong-share")!
    static let session = HTTPField.Name("x-switchyard-session")!

    static func edit(_ configuration: inout GatewayConfiguration) {
        var auto = RouterSettings(name: "auto", kind: .learned)
        auto.weak = "mini"
        auto.strong = "claude"
        auto.threshold = 1.0  // nothing scores above 1: weak unless a control says otherwise
        auto.overrides = [RouterOverride(team: "always", threshold: 0), RouterOverride(team: "labs", threshold: 0, allowShareHeader: true)]
        var pressed = RouterSettings(name: "pressed", kind: .learned)
        pressed.weak = "mini"
        pressed.strong = "claude"
        pressed.threshold = 0
        pressed.budgetPressure = BudgetPressure(below: 0.2, maxShare: 0)
        var shadow = RouterSettings(name: "trial", kind: .learned)
        shadow.weak = "mini"
        shadow.strong = "claude"
        shadow.threshold = 0
        shadow.shadow = true
        shadow.defaultModel = "mini"
        configuration.routers = [auto, pressed, shadow]
    }

    func ask(
        _ client: some TestClientProtocol, _ model: String, headers: HTTPFields = .authorized, body: ByteBuffer? = nil
    ) async throws -> (status: Int, model: String?, route: String?) {
        try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: body ?? chatBody(model)) { response in
            (Int(response.status.code), response.headers[Self.model], response.headers[Self.route])
        }
    }

    func with(_ headers: HTTPFields, _ name: HTTPField.Name, _ value: String) -> HTTPFields {
        var headers = headers
        headers[name] = value
        return headers
    }

    @Test func teamsGetTheirOverrideAndOnlyAllowedCallersLowerTheirShare() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, _ in
            let always = try await createKey(client, #"{"name": "a", "metadata": {"team": "always"}}"#)
            let labs = try await createKey(client, #"{"name": "l", "metadata": {"team": "labs"}}"#)
            let other = try await createKey(client, #"{"name": "o"}"#)
            let strong = try await ask(client, "auto", headers: bearer(always.key))
            #expect(strong.model == "claude" && strong.route?.hasSuffix("t=0.00 ctl=override") == true, "\(strong)")
            #expect(try await ask(client, "auto", headers: bearer(other.key)).model == "mini", "no override: the router's own threshold")
            // The header lowers the share only for callers allowed to: labs' override allows it, always's does not.
            let lowered = try await ask(client, "auto", headers: with(bearer(labs.key), Self.share, "0"))
            #expect(lowered.model == "mini" && lowered.route?.hasSuffix("ctl=header") == true, "\(lowered)")
            #expect(try await ask(client, "auto", headers: with(bearer(always.key), Self.share, "0")).model == "claude")
            #expect(try await ask(client, "auto", headers: with(bearer(labs.key), Self.share, "1")).model == "claude", "never raises it")
            // The master key may; a malformed share is a 400.
            #expect(try await ask(client, "router-auto-0", headers: with(.authorized, Self.share, "0")).model == "mini")
            #expect(try await ask(client, "auto", headers: with(.authorized, Self.share, "lots")).status == 400)
        }
    }

    @Test func budgetPressureSendsAKeyLowOnBudgetToTheWeakTier() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, _ in
            let budget = #""budget": {"amount": "10.00", "period": "monthly"}"#
            let low = try await createKey(client, #"{"name": "low", \#(budget)}"#)
            let flush = try await createKey(client, #"{"name": "flush", \#(budget)}"#)
            try await store.appendLedger([LedgerEntry(
                requestID: "spent", keyID: low.id, model: "claude", provider: "anthropic", upstreamModel: "claude-sonnet-4-5", promptTokens: 1,
                completionTokens: 1, estimated: false, cost: Money(decimal: "9.00") ?? .zero, status: 200, latencyMs: 1, attempts: 1,
                stream: false, createdAt: Int64(Date().timeIntervalSince1970))])
            let pressed = try await ask(client, "pressed", headers: bearer(low.key))
            #expect(pressed.model == "mini" && pressed.route?.hasSuffix("ctl=budget") == true, "10% of the budget left: \(pressed)")
            #expect(try await ask(client, "pressed", headers: bearer(flush.key)).model == "claude")
        }
    }

    @Test func aConversationThatWentStrongStaysStrong() async throws {
        try await GatewayHarness.run(edit: Self.edit) { client, _ in
            // Named sessions: the first turn goes strong (threshold 0 in the model name), the next stays.
            #expect(try await ask(client, "router-auto-0", headers: with(.authorized, Self.session, "s1")).model == "claude")
            let kept = try await ask(client, "auto", headers: with(.authorized, Self.session, "s1"))
            #expect(kept.model == "claude" && kept.route?.contains("guard=session") == true, "\(kept)")
            #expect(try await ask(client, "auto", headers: with(.authorized, Self.session, "s2")).model == "mini")
            // Unnamed: the system prompt and first user message make the conversation.
            let first = #"{"model":"router-auto-0","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"Plan a migration."}]}"#
            let second = #"{"model":"auto","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"Plan a migration."},"#
                + #"{"role":"assistant","content":"Step 1."},{"role":"user","content":"Thanks, and step 2?"}]}"#
            let fresh = #"{"model":"auto","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"Something else."}]}"#
            #expect(try await ask(client, "", body: ByteBuffer(string: first)).model == "claude")
            #expect(try await ask(client, "", body: ByteBuffer(string: second)).model == "claude")
            #expect(try await ask(client, "", body: ByteBuffer(string: fresh)).model == "mini")
        }
    }

    @Test func aShadowRouterServesItsDefaultAndReportsWhatRoutingWouldCost() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, _ in
            for _ in 0..<3 {
                let served = try await ask(client, "trial")
                #expect(served.model == "mini" && served.route?.hasPrefix("trial shadow:strong p=") == true, "\(served)")
            }
            _ = try await ledgerRequests(store, model: "mini", count: 3)
            let report = try await client.execute(uri: "/admin/routing", method: .get, headers: .authorized) { try json($0.body) }
            let trial = try #require((report["data"] as? [[String: Any]])?.first { $0["router"] as? String == "trial" })
            #expect(trial["mode"] as? String == "shadow" && trial["decisions"] as? Int == 3 && trial["strong"] as? Int == 3)
            let rows = try await store.ledger(LedgerQuery(model: "mini"))
            let cost = rows.reduce(Money.zero) { $0 + $1.cost }
            let atClaude = rows.reduce(Money.zero) { total, row in
                total + Money(nanos: Price(input: 3, output: 15).costNanos(of: Usage(promptTokens: row.promptTokens, completionTokens: row.completionTokens)))
            }
            #expect(trial["cost_usd"] as? String == cost.description)
            #expect(trial["projected_cost_usd"] as? String == atClaude.description, "every decision was strong: it would all cost claude's price")
            #expect(trial["projected_savings_usd"] as? String == Money.zero.description)
        }
    }

    /// Savings on a seeded ledger, by hand: one strong request on claude (3/15 USD per million)
    /// and one weak on mini (0.15/0.60), both priced at claude for the reference.
    @Test func theReportsSavingsEqualAHandComputation() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.edit, store: store) { client, _ in
            let now = Int64(Date().timeIntervalSince1970)
            func row(_ id: String, _ route: String, _ model: String, _ prompt: Int, _ completion: Int, _ cost: String) -> LedgerEntry {
                LedgerEntry(
                    requestID: id, keyID: nil, model: model, provider: "p", upstreamModel: "u", route: route, promptTokens: prompt,
                    completionTokens: completion, estimated: false, cost: Money(decimal: cost) ?? .zero, status: 200, latencyMs: 1, attempts: 1,
                    stream: false, createdAt: now)
            }
            try await store.appendLedger([
                row("r1", "auto strong p=0.90 t=0.50", "claude", 1000, 500, "0.0105"),  // 1000 × 3 + 500 × 15 per million
                row("r2", "auto weak p=0.10 t=0.50", "mini", 2000, 1000, "0.0009"),  // 2000 × 0.15 + 1000 × 0.60 per million
            ])
            let report = try await client.execute(uri: "/admin/routing", method: .get, headers: .authorized) { try json($0.body) }
            let auto = try #require((report["data"] as? [[String: Any]])?.first { $0["router"] as? String == "auto" })
            #expect(auto["decisions"] as? Int == 2 && auto["strong"] as? Int == 1 && auto["strong_share"] as? Double == 0.5)
            #expect(auto["cost_usd"] as? String == "0.0114")
            #expect(auto["at_reference_usd"] as? String == "0.0315", "3000 × 3 + 1500 × 15 per million")
            #expect(auto["savings_usd"] as? String == "0.0201")
            #expect(auto["mode"] as? String == "live" && auto["reference"] as? String == "claude")
            try await client.execute(uri: "/admin/routing?from=2020-01-01&to=2020-01-02", method: .get, headers: .authorized) { response in
                let empty = try #require((try json(response.body)["data"] as? [[String: Any]])?.first { $0["router"] as? String == "auto" })
                #expect(empty["decisions"] as? Int == 0)
            }
        }
    }
}
