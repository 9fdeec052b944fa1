import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import Testing
import SwitchyardTesting

@Suite struct ErrorMappingTests {
    @Test func missingOrWrongKeyIs401() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: chatBody("mini")) { response in
                #expect(response.status == .unauthorized)
                let object = try errorObject(response.body)
                #expect(object["code"] as? String == "invalid_api_key")
                #expect(response.headers[HTTPField.Name("x-request-id")!] != nil)
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: [HTTPField.Name("x-api-key")!: "sk-sy-wrong"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: [HTTPField.Name("x-api-key")!: GatewayHarness.masterKey]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func requireKeysFalseLetsEveryoneIn() async throws {
        try await GatewayHarness.run(edit: { $0.server.requireKeys = false }) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: chatBody("mini")) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func unknownModelIs404InTheOpenAIEnvelope() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("gpt-9")) { response in
                #expect(response.status == .notFound)
                let error = try errorObject(response.body)
                #expect(error["code"] as? String == "model_not_found")
                #expect(error["type"] as? String == "invalid_request_error")
                #expect(error["param"] as? String == "model")
            }
        }
    }

    @Test(arguments: [
        ("{not json", nil as String?),
        (#"{"model":"mini"}"#, "messages"),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"mini","messages":[{"role":"user","content":"x"}],"max_tokens":"many"}"#, "max_tokens"),
    ])
    func badInputIs400NamingTheField(_ body: String, _ param: String?) async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let error = try errorObject(response.body)
                #expect(error["type"] as? String == "invalid_request_error")
                #expect(error["param"] as? String == param)
            }
            #expect(fake.requests.isEmpty, "invalid requests never reach the upstream")
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        try await GatewayHarness.run { client, _ in
            let big = String(repeating: "a", count: 70 * 1024)
            let body = ByteBuffer(string: #"{"model":"mini","messages":[{"role":"user","content":"\#(big)"}]}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: body) { response in
                #expect(response.status == .contentTooLarge)
                let object = try errorObject(response.body)
                #expect(object["code"] as? String == "request_too_large")
            }
        }
    }

    @Test func upstreamRateLimitIs429WithRetryAfter() async throws {
        try await GatewayHarness.run(edit: { $0.routing.retries = 0 }) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("limited")) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "2")
                let object = try errorObject(response.body)
                #expect(object["code"] as? String == "rate_limit_exceeded")
            }
        }
    }

    @Test func upstreamContextLengthIs400WithItsMessage() async throws {
        try await GatewayHarness.run { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("too-long")) { response in
                #expect(response.status == .badRequest)
                let error = try errorObject(response.body)
                #expect(error["code"] as? String == "context_length_exceeded")
                #expect((error["message"] as? String)?.contains("maximum context length") == true)
            }
            #expect(fake.requests.count == 1, "a client error is not retried")
        }
    }

    @Test func upstreamAuthFailureIs502WithoutLeakingTheUpstreamKey() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("misconfigured")) { response in
                #expect(response.status == .badGateway)
                let text = String(buffer: response.body)
                #expect(!text.contains("sk-"))
                #expect(!text.contains("nope"))
            }
        }
    }

    @Test func unknownPathsAre404InTheOpenAIEnvelope() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/nothing-here", method: .get, headers: .authorized) { response in
                #expect(response.status == .notFound)
                let object = try errorObject(response.body)
                #expect(object["code"] as? String == "unknown_url")
            }
        }
    }
}
