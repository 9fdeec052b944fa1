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

/// `routers:` through the server: the decision picks the alias, shows in `x-switchyard-route`
/// and lands in the ledger.
@Suite struct RouterServerTests {
    static func withRouters(_ configuration: inout GatewayConfiguration) {
        var auto = RouterSettings(name: "auto", kind: .learned)
        auto.weak = "mini"
        auto.strong = "claude"
        auto.strongShare = 0.5
        var tiered = RouterSettings(name: "tiered", kind: .rules)
        var premium = RouteRule(target: "claude")
        premium.headers = ["x-switchyard-tier": "premium"]
        tiered.rules = [premium]
        tiered.defaultModel = "mini"
        configuration.routers = [auto, tiered]
    }

    static let routeHeader = HTTPField.Name("x-switchyard-route")!
    static let modelHeader = HTTPField.Name("x-switchyard-model")!

    @Test func theLearnedRouterPicksAnAliasAndSaysWhy() async throws {
        try await GatewayHarness.run(edit: Self.withRouters) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("auto")) { response in
                #expect(response.status == .ok)
                let route = try #require(response.headers[Self.routeHeader])
                let parts = route.split(separator: " ")
                #expect(parts.count == 4 && parts[0] == "auto" && parts[2].hasPrefix("p=") && parts[3].hasPrefix("t="), "\(route)")
                #expect(response.headers[Self.modelHeader] == (parts[1] == "strong" ? "claude" : "mini"))
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("router-auto-0")) { response in
                #expect(response.headers[Self.modelHeader] == "claude", "threshold 0 sends everything strong")
                #expect(response.headers[Self.routeHeader]?.hasSuffix("t=0.00") == true)
            }
            try await client.execute(uri: "/v1/messages", method: .post, headers: .anthropicSDK, body: messagesBody("router-auto-0")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[Self.modelHeader] == "claude")
                let body = try json(response.body)
                #expect(body["type"] as? String == "message")
            }
        }
    }

    @Test func rulesRouteByHeader() async throws {
        try await GatewayHarness.run(edit: Self.withRouters) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("tiered")) { response in
                #expect(response.headers[Self.modelHeader] == "mini")
                #expect(response.headers[Self.routeHeader] == "tiered default")
            }
            var headers = HTTPFields.authorized
            headers[HTTPField.Name("x-switchyard-tier")!] = "premium"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: chatBody("tiered")) { response in
                #expect(response.headers[Self.modelHeader] == "claude")
                #expect(response.headers[Self.routeHeader] == "tiered rule[0]")
            }
        }
    }

    @Test func routersAreListedAsModelsAndTheDecisionIsInTheLedger() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: Self.withRouters, store: store) { client, _ in
            try await client.execute(uri: "/v1/models", method: .get, headers: .authorized) { response in
                let ids = (try json(response.body)["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
                #expect(ids.contains("auto") && ids.contains("tiered"))
            }
            let requestID = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("router-auto-0")) { response in
                try #require(response.headers[HTTPField.Name("x-request-id")!])
            }
            var entries: [LedgerEntry] = []
            for _ in 0..<100 where entries.isEmpty {
                entries = try await store.ledgerEntries(requestID: requestID)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(entries.first?.route?.hasPrefix("auto strong p=") == true)
            #expect(entries.first?.model == "claude")
        }
    }
}

@Suite struct FeedbackTests {
    static func feedbackBody(_ requestID: String, _ outcome: String) -> ByteBuffer {
        ByteBuffer(string: #"{"request_id":"\#(requestID)","outcome":\#(outcome)}"#)
    }

    @Test func verdictsOnRoutedRequestsAreStoredWithTheRoutersView() async throws {
        let store = try SQLiteAccountStore(path: ":memory:")
        try await GatewayHarness.run(edit: RouterServerTests.withRouters, store: store) { client, _ in
            let requestID = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("auto")) { response in
                try #require(response.headers[HTTPField.Name("x-request-id")!])
            }
            try await client.execute(uri: "/v1/feedback", method: .post, headers: .authorized, body: Self.feedbackBody(requestID, #""bad""#)) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["trainable"] as? Bool == true && body["router"] as? String == "auto")
            }
            let stored = try #require(try await store.feedback(router: "auto").first)
            #expect(stored.requestID == requestID && stored.outcome == 0 && stored.embedding?.count == 64)
            try await client.execute(uri: "/v1/feedback", method: .post, headers: .authorized, body: Self.feedbackBody("req_unknown", "1")) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/feedback", method: .post, headers: .authorized, body: Self.feedbackBody(requestID, "7")) { response in
                #expect(response.status == .badRequest)
                let error = try errorObject(response.body)
                #expect(error["param"] as? String == "outcome")
            }
        }
    }
}

import SwitchyardRouting
import Foundation

@Suite struct RouterReloadTests {
    /// `router train --from-feedback` writes the file a router's `weights:` names; `POST /admin/reload` takes it in.
    @Test func reloadPicksUpARetrainedWeightsFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-reload-\(UInt32.random(in: 0...UInt32.max)).syr")
        defer { try? FileManager.default.removeItem(at: path) }
        let base = try LearnedRouterModel.bundledBytes()
        try Data(base).write(to: path)
        let prompt = "Hello!"
        try await GatewayHarness.run(edit: { configuration in
            RouterServerTests.withRouters(&configuration)
            configuration.routers[0].weightsPath = path.path
            configuration.routers[0].strongShare = nil
            configuration.routers[0].threshold = 0.5
        }) { client, _ in
            func score() async throws -> Double {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("auto")) { response in
                    let route = try #require(response.headers[HTTPField.Name("x-switchyard-route")!])
                    return try #require(route.split(separator: " ").first { $0.hasPrefix("p=") }.flatMap { Double($0.dropFirst(2)) })
                }
            }
            let before = try await score()
            let model = try LearnedRouterModel(bytes: base)
            let embedding = model.evaluate(RequestFeatures(text: prompt, turns: 1)).embedding.map(Float.init)
            let verdicts = (0..<200).map { RouteFeedback(requestID: "r\($0)", router: "auto", label: "weak", alias: "mini", outcome: 0, embedding: embedding, createdAt: 0) }
            let retrained = try FeedbackTrainer.retrain(base: base, model: model, feedback: verdicts, weak: "mini", strong: "claude", weight: 5, date: "2026-11-25")
            try Data(retrained.file).write(to: path)
            #expect(try await score() == before, "nothing changes before the reload")
            try await client.execute(uri: "/admin/reload", method: .post, headers: .authorized) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("auto"))
            }
            #expect(try await score() > before + 0.05)
        }
    }
}
