import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardTesting
import Testing
import SwitchyardCore

/// For each failure kind of an upstream: what the client sees, and how many upstream attempts
/// were made (one deployment, `routing.retries: 2`, so at most 3).
@Suite struct FaultInjectionTests {
    @Test(arguments: [
        ("status-500", 502, 3), ("status-502", 502, 3), ("status-503", 503, 3), ("status-529", 503, 3),
        ("reset", 502, 3), ("malformed", 502, 3), ("too-long", 400, 1), ("misconfigured", 502, 1),
    ])
    func nonStreamingFailures(_ model: String, _ status: Int, _ attempts: Int) async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody(model)) { response in
                #expect(response.status.code == status)
                let object = try errorObject(response.body)
                #expect(object["message"] is String)
            }
            #expect(fake.requests.count == attempts)
        }
    }

    @Test(arguments: [("status-503", 503, 3), ("reset", 502, 3), ("slow-first-byte", 504, 3)])
    func streamingFailuresBeforeTheFirstByteAreRetriedThenReportedAsHTTPErrors(_ model: String, _ status: Int, _ attempts: Int) async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody(model, stream: true)) { response in
                #expect(response.status.code == status)
                #expect(response.headers[.contentType] == "application/json")
            }
            #expect(fake.requests.count == attempts)
        }
    }

    @Test func aResetAfterTheFirstByteBecomesAnInStreamError() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("reset-after-first-byte", stream: true)) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#"data: {"error":"#))
                #expect(!text.contains("[DONE]"))
            }
            #expect(fake.requests.count == 1, "after the first byte there is no failover")
        }
    }

    @Test func aMalformedStreamEventBecomesAnInStreamError() async throws {
        try await GatewayHarness.run(edit: { $0.models.append(ModelSettings(name: "bad-stream", targets: [TargetSettings(provider: "fake", model: "fault-malformed-stream")])) }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("bad-stream", stream: true)) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#""code":null"#) || text.contains("malformed"))
                #expect(text.contains(#"data: {"error":"#))
                #expect(!text.contains("[DONE]"))
            }
            #expect(fake.requests.count == 1)
        }
    }

    @Test func contentPolicyFallbacksServeFilteredPrompts() async throws {
        try await GatewayHarness.run(edit: { configuration in
            var model = ModelSettings(name: "filtered", targets: [TargetSettings(provider: "fake", model: "fault-content-filter")])
            model.contentPolicyFallbacks = ["mini"]
            configuration.models.append(model)
            configuration.models.append(ModelSettings(name: "filtered-alone", targets: [TargetSettings(provider: "fake", model: "fault-content-filter")]))
        }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("filtered")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "mini")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("filtered-alone")) { response in
                #expect(response.status == .badRequest)
                let object = try errorObject(response.body)
                #expect(object["code"] as? String == "content_filter")
            }
            #expect(fake.requests.count == 3, "a filtered prompt is not retried on the same model")
        }
    }

    @Test func aStallMidStreamEndsAtTheDeadlineWithAnInStreamError() async throws {
        // 3 s: the first chunks must beat the deadline even when the whole suite loads the machine.
        try await GatewayHarness.run(edit: { $0.routing.timeoutSeconds = 3 }) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("stall", stream: true)) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#""content":"""#))
                #expect(text.contains(#""code":"upstream_timeout""#))
                #expect(!text.contains("[DONE]"))
            }
        }
    }

    @Test func aRateLimitedDeploymentFailsOverToTheNext() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("limited-with-backup")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-attempts")!] == "2")
            }
            #expect(fake.requests.map { $0.json?["model"] as? String } == ["fault-429_rate_limit", "gpt-4o-mini"])
        }
    }

    @Test func theFallbacksHeaderAddsFallbacksForOneRequest() async throws {
        try await GatewayHarness.run { client, _ in
            var headers = HTTPFields.authorized
            headers[HTTPField.Name("x-switchyard-fallbacks")!] = "nope, mini"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: chatBody("misconfigured")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "mini")
            }
        }
    }

    @Test func contextWindowFallbacksServeLongPrompts() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.models.append({
                var model = ModelSettings(name: "small-window", targets: [TargetSettings(provider: "fake", model: "fault-400_context_length")])
                model.contextWindowFallbacks = ["mini"]
                return model
            }())
        }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("small-window")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-switchyard-model")!] == "mini")
            }
            #expect(fake.requests.count == 2, "the context-length error moved the request to the fallback")
        }
    }

    @Test func aPromptBeyondTheContextWindowGoesStraightToTheFallback() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.models.append({
                var model = ModelSettings(name: "tiny-window", targets: [TargetSettings(provider: "fake", model: "fault-400_context_length")])
                model.contextWindow = 4
                model.contextWindowFallbacks = ["mini"]
                return model
            }())
        }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("tiny-window")) { response in
                #expect(response.status == .ok)
            }
            #expect(fake.requests.count == 1, "no attempt on the model whose window is too small")
        }
    }
}
