import AsyncHTTPClient
import Foundation
import NIOHTTP1
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Hosted providers are reached over HTTPS through AsyncHTTPClient, a different path from the
/// plain-HTTP pool most tests exercise: the same behaviours, against a fake served over TLS with
/// the test CA that `providers.<name>.tls.ca_file` trusts.
@Suite struct TLSUpstreamTests {
    @Test func jsonAndStreamsOverTLS() async throws {
        try await GatewayHarness.run(tls: true) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini")) { response in
                #expect(response.status == .ok)
                let object = try json(response.body)["object"] as? String
                #expect(object == "chat.completion")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini", stream: true)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasSuffix("data: [DONE]\n\n"))
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("claude", stream: true)) { response in
                #expect(response.status == .ok, "a native (Anthropic) upstream over TLS too")
                #expect(String(buffer: response.body).contains("data: [DONE]"))
            }
            #expect(fake.requests.count == 3)
            #expect(fake.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(GatewayHarness.upstreamKey)" || $0.headers["x-api-key"] != nil })
        }
    }

    @Test func failoverOverTLS() async throws {
        try await GatewayHarness.run(tls: true) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("resilient")) { response in
                #expect(response.status == .ok, "the unreachable deployment is skipped")
                #expect(response.headers[HTTPField.Name("x-switchyard-provider")!] == "fake")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("status-503", stream: true)) { response in
                #expect(response.status.code == 503)
            }
            #expect(fake.requests.count == 4, "one for `resilient`, three attempts for the 503s")
        }
    }

    @Test func firstByteAndSilenceTimeoutsOverTLS() async throws {
        try await GatewayHarness.run(tls: true, edit: { $0.routing.timeoutSeconds = 1.5 }) { client, fake in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("slow-first-byte", stream: true)) { response in
                #expect(response.status.code == 504)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("stall", stream: true)) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#"data: {"error":"#), "the stall becomes an in-stream error")
                #expect(!text.contains("[DONE]"))
            }
            #expect(fake.requests.count >= 2)
        }
    }

    @Test func aClientThatLeavesCancelsTheTLSUpstream() async throws {
        // Seven events 500 ms apart: the upstream would finish after 3.5 s if nothing cancelled it.
        // (A silence limit above the pace, so only the client's leaving can end it early.)
        try await GatewayHarness.run(tls: true, slowEventDelay: .milliseconds(500), edit: { $0.routing.firstByteTimeoutSeconds = 5 }) { client, fake in
            let port = try #require(client.port)
            let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let response = try await httpClient.execute(gatewayRequest(port: port, body: chatBody("slow", stream: true)), timeout: .seconds(10))
                #expect(response.status == .ok)
                for try await _ in response.body { break }
            } catch {
                try await httpClient.shutdown()
                throw error
            }
            try await httpClient.shutdown()
            for _ in 0..<60 where fake.streamsCancelled == 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(fake.streamsCancelled == 1, "cancelled well before the stream's 3.5 s")
            #expect(fake.streamsCompleted == 0)
        }
    }

    /// A certificate no configured CA vouches for is refused (the attempt fails as unreachable);
    /// `insecure_skip_verify` accepts it.
    @Test(arguments: [("system", 502), ("other-ca.pem", 502), ("skip", 200)] as [(String, Int)])
    func certificatesAreVerified(_ trust: String, _ status: Int) async throws {
        try await GatewayHarness.run(tls: true, edit: { configuration in
            for index in configuration.providers.indices {
                switch trust {
                case "system": configuration.providers[index].tls = TLSSettings()
                case "skip": configuration.providers[index].tls = TLSSettings(insecureSkipVerify: true)
                default: configuration.providers[index].tls.caFile = Fixtures.locate().tlsDirectory.appendingPathComponent(trust).path
                }
            }
        }) { client, _ in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: .authorized, body: chatBody("mini")) { response in
                #expect(response.status.code == status)
            }
        }
    }
}
