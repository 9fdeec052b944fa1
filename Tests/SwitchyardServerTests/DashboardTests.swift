import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
@testable import SwitchyardServer
import SwitchyardTesting
import Testing

/// The dashboard's handlers through real sockets: sign-in, sessions, CSRF, headers, scoping.
/// (The browser suite, Tests/e2e/test_dashboard.py, drives the pages in headless Chromium.)
@Suite struct DashboardTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in with `key`; returns the session cookie (`sy_session=…`) and the page's CSRF token.
    static func signIn(_ client: some TestClientProtocol, key: String) async throws -> (cookie: String, csrf: String) {
        let cookie = try await client.execute(
            uri: "/ui/login", method: .post, headers: form, body: ByteBuffer(string: "api_key=\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        ) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/ui")
            let setCookie = try #require(response.headers[.setCookie])
            return String(try #require(setCookie.split(separator: ";").first))
        }
        let csrf = try await client.execute(uri: "/ui", method: .get, headers: [.cookie: cookie]) { response in
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            let marker = try #require(html.range(of: "data-csrf=\""))
            return String(html[marker.upperBound...].prefix { $0 != "\"" })
        }
        return (cookie, csrf)
    }

    @Test func everyPageNeedsASessionAndTheCookieIsStrict() async throws {
        try await GatewayHarness.run { client, _ in
            for path in ["/ui", "/ui/keys", "/ui/usage", "/ui/models", "/ui/routing", "/ui/logs", "/ui/playground", "/ui/usage.csv"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.headers[.location] == "/ui/login")
                }
            }
            try await client.execute(
                uri: "/ui/login", method: .post, headers: Self.form, body: ByteBuffer(string: "api_key=\(GatewayHarness.masterKey)")
            ) { response in
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui") && cookie.contains("Max-Age=28800"))
                #expect(!cookie.contains("Secure"), "not over TLS")
                #expect(!cookie.contains(GatewayHarness.masterKey))
            }
            var behindTLS = Self.form
            behindTLS[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            try await client.execute(
                uri: "/ui/login", method: .post, headers: behindTLS, body: ByteBuffer(string: "api_key=\(GatewayHarness.masterKey)")
            ) { response in
                #expect(response.headers[.setCookie]?.contains("; Secure") == true)
            }
        }
    }

    @Test func pagesCarryAStrictPolicyAndNoInlineScript() async throws {
        try await GatewayHarness.run { client, _ in
            let session = try await Self.signIn(client, key: GatewayHarness.masterKey)
            for path in ["/ui", "/ui/keys", "/ui/keys/new", "/ui/usage", "/ui/models", "/ui/routing", "/ui/logs", "/ui/playground", "/ui/login"] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: session.cookie]) { response in
                    #expect(response.status == .ok || (path == "/ui/login" && response.status == .seeOther), "\(path)")
                    let policy = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
                    #expect(policy.contains("default-src 'self'") && policy.contains("script-src 'self'") && !policy.contains("unsafe"))
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                    let html = String(buffer: response.body)
                    if response.status == .ok {
                        #expect(html.contains("<h1>") && html.hasSuffix("</html>\n"), "\(path): the whole page rendered")
                    }
                    #expect(!html.contains("<script>") && !html.contains(" style=") && !html.contains(" onclick="), "\(path)")
                    #expect(!html.contains(GatewayHarness.upstreamKey) && !html.contains(GatewayHarness.masterKey))
                }
            }
            try await client.execute(uri: "/ui/static/app.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
                let etag = try #require(response.headers[.eTag])
                try await client.execute(uri: "/ui/static/app.js", method: .get, headers: [.ifNoneMatch: etag]) { again in
                    #expect(again.status == .notModified)
                }
            }
            try await client.execute(uri: "/ui/static/missing.js", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func formsNeedTheSessionsTokenAndTheSameOrigin() async throws {
        try await GatewayHarness.run { client, _ in
            let session = try await Self.signIn(client, key: GatewayHarness.masterKey)
            var headers = Self.form
            headers[.cookie] = session.cookie
            for body in ["name=x", "name=x&csrf=wrong"] {
                try await client.execute(uri: "/ui/keys", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .forbidden)
                }
            }
            var crossSite = headers
            crossSite[HTTPField.Name("Origin")!] = "https://evil.example"
            try await client.execute(uri: "/ui/keys", method: .post, headers: crossSite, body: ByteBuffer(string: "name=x&csrf=\(session.csrf)")) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try await GatewayHarnessStore.keyNames(client).isEmpty, "no key was created by a refused form")
            try await client.execute(
                uri: "/ui/keys", method: .post, headers: headers, body: ByteBuffer(string: "name=%3Cb%3Eteam%3C%2Fb%3E&credits=3.50&models=mini&csrf=\(session.csrf)")
            ) { response in
                #expect(response.status == .created)
                let html = String(buffer: response.body)
                #expect(html.contains("&lt;b&gt;team&lt;/b&gt;") && !html.contains("<b>team</b>"), "names are escaped")
                #expect(html.range(of: #"sk-sy-[0-9A-Za-z]{32}"#, options: .regularExpression) != nil, "the new key is shown once")
            }
            #expect(try await GatewayHarnessStore.keyNames(client) == ["<b>team</b>"])
            // Signing out ends the session on the server, not only in the browser.
            try await client.execute(uri: "/ui/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(session.csrf)")) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/ui", method: .get, headers: [.cookie: session.cookie]) { response in
                #expect(response.status == .seeOther)
            }
        }
    }

    @Test func failedSignInsAreLimitedPerAddress() async throws {
        try await GatewayHarness.run { client, _ in
            for _ in 0..<5 {
                try await client.execute(uri: "/ui/login", method: .post, headers: Self.form, body: ByteBuffer(string: "api_key=wrong")) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.setCookie] == nil)
                }
            }
            // Even the right key waits now: guessing cannot go on at full speed.
            try await client.execute(
                uri: "/ui/login", method: .post, headers: Self.form, body: ByteBuffer(string: "api_key=\(GatewayHarness.masterKey)")
            ) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
            }
        }
    }

    @Test func aKeyHolderSeesOnlyTheirKey() async throws {
        try await GatewayHarness.run { client, _ in
            let mine = try await createKey(client, #"{"name": "holder", "credits": "4.00"}"#)
            let theirs = try await createKey(client, #"{"name": "other"}"#)
            let servedMine = try await Self.chat(client, key: mine.key)
            let servedTheirs = try await Self.chat(client, key: theirs.key)
            try await Task.sleep(for: .milliseconds(200))
            let session = try await Self.signIn(client, key: mine.key)
            for path in ["/ui/keys", "/ui/models", "/ui/routing", "/ui/keys/\(theirs.id)"] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: session.cookie]) { #expect($0.status == .forbidden, "\(path)") }
            }
            try await client.execute(uri: "/ui/logs?key=\(theirs.id)", method: .get, headers: [.cookie: session.cookie]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(servedMine) && !html.contains(servedTheirs), "the key filter is the holder's own key, whatever is asked")
            }
            try await client.execute(uri: "/ui/logs/\(servedTheirs)", method: .get, headers: [.cookie: session.cookie]) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/ui/usage?group=key", method: .get, headers: [.cookie: session.cookie]) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/ui", method: .get, headers: [.cookie: session.cookie]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("holder") && html.contains(servedMine) && !html.contains(servedTheirs))
            }
            // Revoking the key ends its dashboard session too.
            try await client.execute(uri: "/admin/keys/\(mine.id)", method: .delete, headers: .authorized) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ui", method: .get, headers: [.cookie: session.cookie]) { #expect($0.status == .seeOther) }
        }
    }

    @Test func thePlaygroundStreamsAsTheSignedInKey() async throws {
        try await GatewayHarness.run { client, _ in
            let holder = try await createKey(client, #"{"name": "player", "models": ["mini"]}"#)
            let session = try await Self.signIn(client, key: holder.key)
            var headers: HTTPFields = [.cookie: session.cookie, .contentType: "application/json"]
            let body = ByteBuffer(string: #"{"model": "mini", "messages": [{"role": "user", "content": "hi"}]}"#)
            try await client.execute(uri: "/ui/playground/chat", method: .post, headers: headers, body: body) { #expect($0.status == .forbidden) }
            headers[HTTPField.Name("x-csrf-token")!] = session.csrf
            let requestID = try await client.execute(uri: "/ui/playground/chat", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
                #expect(String(buffer: response.body).contains("[DONE]"))
                return try #require(response.headers[HTTPField.Name("x-request-id")!])
            }
            let limited = ByteBuffer(string: #"{"model": "limited", "messages": [{"role": "user", "content": "hi"}]}"#)
            try await client.execute(uri: "/ui/playground/chat", method: .post, headers: headers, body: limited) { #expect($0.status == .forbidden) }
            try await Task.sleep(for: .milliseconds(200))
            let entry = try #require(try await GatewayHarnessStore.ledger(client, requestID: requestID))
            #expect(entry.contains("<dd>player</dd>"), "metered to the signed-in key")
        }
    }

    static func chat(_ client: some TestClientProtocol, key: String) async throws -> String {
        try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key), body: chatBody("mini")) { response in
            #expect(response.status == .ok)
            return try #require(response.headers[HTTPField.Name("x-request-id")!])
        }
    }
}

/// Reads what the gateway stored, through its own admin and dashboard endpoints.
enum GatewayHarnessStore {
    static func keyNames(_ client: some TestClientProtocol) async throws -> [String] {
        try await client.execute(uri: "/admin/keys", method: .get, headers: .authorized) { response in
            (try json(response.body)["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
    }

    /// The operator's view of a request's log page (nil when the ledger has no row for it).
    static func ledger(_ client: some TestClientProtocol, requestID: String) async throws -> String? {
        let session = try await DashboardTests.signIn(client, key: GatewayHarness.masterKey)
        return try await client.execute(uri: "/ui/logs/\(requestID)", method: .get, headers: [.cookie: session.cookie]) { response in
            response.status == .ok ? String(buffer: response.body) : nil
        }
    }
}

/// The dashboard's pure parts.
@Suite struct DashboardPartsTests {
    @Test func chartsEscapeLabelsAndSurviveHostileNumbers() {
        let svg = SVGChart.bars(
            [.init(label: "<img src=x>", value: 3), .init(label: "b", value: .nan), .init(label: "c", value: -.infinity), .init(label: "d", value: 1)],
            title: "\"quoted\" & <b>")
        #expect(!svg.contains("<img") && svg.contains("&lt;img src=x&gt;") && svg.contains("&quot;quoted&quot; &amp; &lt;b&gt;"))
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        #expect(SVGChart.bars([], title: "empty").contains("No data yet"))
    }

    @Test func savingsAreWhatTheStrongAliasWouldHaveCostMinusTheCost() {
        let savings = RoutingSavings(references: ["auto": .init(alias: "strong", price: Price(input: 3, output: 15))])
        let rows = [
            RoutedUsage(day: "2026-11-29", router: "auto", label: "weak", model: "mini", requests: 9, promptTokens: 1_000_000, completionTokens: 100_000,
                cost: Money(decimal: "0.21") ?? .zero),
            RoutedUsage(day: "2026-11-30", router: "auto", label: "strong", model: "strong", requests: 1, promptTokens: 100_000, completionTokens: 10_000,
                cost: Money(decimal: "0.45") ?? .zero),
        ]
        let summary = savings.summarize(rows)
        // At the strong price: 1.1M prompt × $3/M + 0.11M completion × $15/M = $3.30 + $1.65 = $4.95; cost $0.66.
        #expect(summary.all.reference == Money(decimal: "4.95"))
        #expect(summary.all.savings == Money(decimal: "4.29"))
        #expect(summary.all.strongShare == 0.1)
        #expect(summary.byDay["2026-11-29"]?.savings == Money(decimal: "4.29"))
        #expect(summary.byRouter["auto"]?.requests == 10)
    }

    @Test func csvCellsAreQuotedAndNeverFormulas() {
        #expect(Dashboard.csvField("plain") == "plain")
        #expect(Dashboard.csvField("a,b") == "\"a,b\"")
        #expect(Dashboard.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(Dashboard.csvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(Dashboard.csvField("-0.5") == "-0.5", "numbers stay numbers")
    }

    @Test func formsAndCursorsParse() {
        let form = DashboardForm.parse("name=a+b%26c&empty=&csrf=t%3D&flag")
        #expect(form["name"] == "a b&c" && form["empty"] == nil && form["csrf"] == "t=" && form["flag"] == nil)
        let cursor = PageCursor(createdAt: 1_800_000_000, id: "req_a.b")
        #expect(PageCursor(token: cursor.token) == cursor)
        #expect(PageCursor(token: "x.y") == nil && PageCursor(token: "12.") == nil && PageCursor(token: "12") == nil)
    }

    @Test func theThrottleOpensAgainAfterItsWindow() {
        let throttle = SignInThrottle(limit: 2, window: 60, maxAddresses: 2)
        throttle.failed("a", now: 0)
        #expect(throttle.retryAfter("a", now: 1) == nil)
        throttle.failed("a", now: 1)
        #expect(throttle.retryAfter("a", now: 10) == 50)
        #expect(throttle.retryAfter("a", now: 60) == nil)
        throttle.failed("b", now: 2)
        throttle.failed("c", now: 3)  // past the bound: the oldest address is forgotten, not the process's memory
        #expect(throttle.retryAfter("c", now: 4) == nil)
    }
}
