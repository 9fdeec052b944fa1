import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import SwitchyardCore
import SwitchyardTesting

@Suite struct ModelsAndEmbeddingsTests {
    @Test func modelsListsTheConfiguredAliases() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/v1/models", method: .get, headers: .authorized) { response in
                let body = try json(response.body)
                #expect(body["object"] as? String == "list")
                let ids = (body["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids?.first == "mini")
                #expect(ids?.contains("resilient") == true)
            }
            try await client.execute(uri: "/v1/models/mini", method: .get, headers: .authorized) { response in
                let object = try json(response.body)
                #expect(object["id"] as? String == "mini")
            }
            try await client.execute(uri: "/v1/models/nope", method: .get, headers: .authorized) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func embeddingsAreForwarded() async throws {
        try await GatewayHarness.run { client, fake in
            let body = ByteBuffer(string: #"{"model":"mini","input":["The food was delicious","and the waiter..."]}"#)
            try await client.execute(uri: "/v1/embeddings", method: .post, headers: .authorized, body: body) { response in
                #expect(response.status == .ok)
                let object = try json(response.body)
                #expect((object["data"] as? [Any])?.count == 2)
            }
            #expect(fake.requests.last?.path == "/v1/embeddings")
            let bad = ByteBuffer(string: #"{"model":"mini"}"#)
            try await client.execute(uri: "/v1/embeddings", method: .post, headers: .authorized, body: bad) { response in
                #expect(response.status == .badRequest)
                let object = try errorObject(response.body)
                #expect(object["param"] as? String == "input")
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        try await GatewayHarness.run { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                let object = try json(response.body)
                #expect(object["status"] as? String == "ready")
            }
        }
    }
}

@Suite struct AdminModelsTests {
    @Test func adminModelsNeedsTheMasterKeyEvenWithoutRequiredKeys() async throws {
        try await GatewayHarness.run(edit: { $0.server.requireKeys = false }) { client, _ in
            try await client.execute(uri: "/admin/models", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: chatBody("mini")) { _ in }
            try await client.execute(uri: "/admin/models", method: .get, headers: .authorized) { response in
                #expect(response.status == .ok)
                let data = try #require(try json(response.body)["data"] as? [[String: Any]])
                let mini = try #require(data.first { $0["model"] as? String == "mini" })
                #expect(mini["state"] as? String == "healthy")
                #expect(mini["latency_ms"] as? Double != nil)
                #expect(mini["in_flight"] as? Int == 0)
            }
        }
    }
}
