import Hummingbird
import HummingbirdTesting
import Logging
import SwitchyardCore
import SwitchyardServer
import SwitchyardTesting
import SwitchyardStoreSQLite

/// Starts a fake OpenAI upstream on a real port and a gateway in front of it, then runs `body`.
enum GatewayHarness {
    static let masterKey = "sk-sy-test-master"
    static let upstreamKey = "sk-upstream-secret"

    static func configuration(upstreamPort: Int, edit: (inout GatewayConfiguration) -> Void) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.server.port = 0
        configuration.server.masterKey = Secret(masterKey)
        configuration.server.maxBodyBytes = 64 * 1024
        configuration.routing.retries = 2
        configuration.providers = [
            ProviderSettings(name: "fake", type: "openai-compatible", baseURL: "http://127.0.0.1:\(upstreamPort)/v1", apiKey: Secret(upstreamKey)),
            ProviderSettings(name: "wrongkey", type: "openai-compatible", baseURL: "http://127.0.0.1:\(upstreamPort)/v1", apiKey: Secret("nope")),
            ProviderSettings(name: "down", type: "openai-compatible", baseURL: "http://127.0.0.1:1/v1"),
        ]
        configuration.models = [
            ModelSettings(name: "mini", targets: [TargetSettings(provider: "fake", model: "gpt-4o-mini")], price: Price(input: 0.15, output: 0.60)),
            ModelSettings(name: "limited", targets: [TargetSettings(provider: "fake", model: "fault-429_rate_limit")]),
            ModelSettings(name: "broken-stream", targets: [TargetSettings(provider: "fake", model: "fault-stream-error")]),
            ModelSettings(name: "truncated", targets: [TargetSettings(provider: "fake", model: "fault-truncate")]),
            ModelSettings(name: "slow", targets: [TargetSettings(provider: "fake", model: "fault-slow")]),
            ModelSettings(name: "too-long", targets: [TargetSettings(provider: "fake", model: "fault-400_context_length")]),
            ModelSettings(name: "misconfigured", targets: [TargetSettings(provider: "wrongkey", model: "gpt-4o-mini")]),
            ModelSettings(name: "resilient", targets: [
                TargetSettings(provider: "down", model: "gpt-4o-mini", weight: 1000),
                TargetSettings(provider: "fake", model: "gpt-4o-mini", weight: 1),
            ]),
            ModelSettings(name: "with-fallback", targets: [TargetSettings(provider: "wrongkey", model: "gpt-4o-mini")], fallbacks: ["mini"]),
            ModelSettings(name: "limited-with-backup", targets: [
                TargetSettings(provider: "fake", model: "fault-429_rate_limit", weight: 1000), TargetSettings(provider: "fake", model: "gpt-4o-mini"),
            ]),
        ]
        for fault in ["status-500", "status-502", "status-503", "status-529", "reset", "reset-after-first-byte", "slow-first-byte", "stall", "malformed"] {
            configuration.models.append(ModelSettings(name: fault, targets: [TargetSettings(provider: "fake", model: "fault-\(fault)")]))
        }
        configuration.routing.firstByteTimeoutSeconds = 0.3
        edit(&configuration)
        return configuration
    }

    static func run(
        edit: @Sendable (inout GatewayConfiguration) -> Void = { _ in },
        store: SQLiteAccountStore? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, FakeOpenAIUpstream) async throws -> Void
    ) async throws {
        let store = try store ?? SQLiteAccountStore(path: ":memory:")
        let fake = FakeOpenAIUpstream(expectedAPIKey: upstreamKey, slowEventDelay: .milliseconds(100), slowFirstByteDelay: .seconds(1))
        try await fake.application().test(.live) { upstream in
            let port = try #require(upstream.port)
            var logger = Logger(label: "switchyard-test")
            logger.logLevel = .error
            var dependencies = GatewayDependencies(logger: logger, accountStore: store)
            dependencies.keyRefreshInterval = .milliseconds(100)
            dependencies.ledgerFlushInterval = .milliseconds(20)
            let app = try await buildApplication(configuration: configuration(upstreamPort: port, edit: edit), dependencies: dependencies)
            try await app.test(.live) { client in try await body(client, fake) }
        }
    }
}

import Testing

extension HTTPFields {
    static var authorized: HTTPFields {
        [.authorization: "Bearer \(GatewayHarness.masterKey)", .contentType: "application/json"]
    }
}

import AsyncHTTPClient
import NIOHTTP1
import NIOCore

/// A chat request for AsyncHTTPClient (tests that need streaming reads or concurrency).
func gatewayRequest(port: Int, key: String = GatewayHarness.masterKey, body: ByteBuffer) -> HTTPClientRequest {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
    request.method = .POST
    request.headers.add(name: "authorization", value: "Bearer \(key)")
    request.body = .bytes(body)
    return request
}
