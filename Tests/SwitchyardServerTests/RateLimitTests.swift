import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite struct RateLimitTests {
    @Test func requestsPerMinuteGive429WithRetryAfterAndRateLimitHeaders() async throws {
        try await GatewayHarness.run { client, _ in
            let created = try await createKey(client, #"{"name": "rpm", "rpm": 2}"#)
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                    #expect(response.status == .ok)
                }
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(response.headers[HTTPField.Name("x-ratelimit-limit-requests")!] == "2")
                #expect(response.headers[HTTPField.Name("x-ratelimit-remaining-requests")!] == "0")
                #expect(response.headers[HTTPField.Name("x-ratelimit-reset-requests")!]?.hasSuffix("s") == true)
                let object = try errorObject(response.body)
                #expect(object["code"] as? String == "rate_limit_exceeded")
            }
        }
    }

    @Test func tokensPerMinuteCountTheActualUsage() async throws {
        try await GatewayHarness.run { client, _ in
            let created = try await createKey(client, #"{"name": "tpm", "tpm": 20}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                #expect(response.status == .ok, "29 tokens used: the bucket is now overdrawn")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[HTTPField.Name("x-ratelimit-limit-tokens")!] == "20")
            }
        }
    }

    @Test func maxParallelLimitsConcurrentRequests() async throws {
        // Events 400 ms apart: the stream holds its slot for ~2.8 s, well past the second request
        // even when the parallel suite loads the machine.
        try await GatewayHarness.run(slowEventDelay: .milliseconds(400), edit: { $0.routing.firstByteTimeoutSeconds = 5 }) { client, _ in
            let created = try await createKey(client, #"{"name": "parallel", "max_parallel": 1}"#)
            let port = try #require(client.port)
            let request = gatewayRequest(port: port, key: created.key, body: chatBody("slow", stream: true))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let first = try await http.execute(request, timeout: .seconds(10))
                #expect(first.status == .ok)
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                    #expect(response.status == .tooManyRequests, "the stream still holds the only slot")
                }
                _ = try await first.body.collect(upTo: 1 << 20)
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                #expect(response.status == .ok, "the slot is free once the stream ended")
            }
        }
    }
}
