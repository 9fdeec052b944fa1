import Foundation
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

    static func configuration(upstreamPort: Int, tls: Bool = false, edit: (inout GatewayConfiguration) -> Void) -> GatewayConfiguration {
        let scheme = tls ? "https" : "http"
        var configuration = GatewayConfiguration()
        configuration.server.port = 0
        configuration.server.masterKey = Secret(masterKey)
        configuration.server.maxBodyBytes = 64 * 1024
        configuration.routing.retries = 2
        configuration.providers = [
            ProviderSettings(name: "fake", type: "openai-compatible", baseURL: "\(scheme)://127.0.0.1:\(upstreamPort)/v1", apiKey: Secret(upstreamKey)),
            ProviderSettings(name: "wrongkey", type: "openai-compatible", baseURL: "\(scheme)://127.0.0.1:\(upstreamPort)/v1", apiKey: Secret("nope")),
            ProviderSettings(name: "down", type: "openai-compatible", baseURL: "\(scheme)://127.0.0.1:1/v1"),
            ProviderSettings(name: "anthropic", type: "anthropic", baseURL: "\(scheme)://127.0.0.1:\(upstreamPort)", apiKey: Secret(upstreamKey)),
            ProviderSettings(name: "gemini", type: "gemini", baseURL: "\(scheme)://127.0.0.1:\(upstreamPort)", apiKey: Secret(upstreamKey)),
            ProviderSettings(name: "azure", type: "azure", baseURL: "\(scheme)://127.0.0.1:\(upstreamPort)", apiKey: Secret(upstreamKey)),
            bedrockSettings(upstreamPort: upstreamPort, scheme: scheme),
        ]
        if tls {
            let ca = Fixtures.locate().tlsDirectory.appendingPathComponent("ca.pem").path
            for index in configuration.providers.indices { configuration.providers[index].tls.caFile = ca }
        }
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
        let native: [(alias: String, provider: String, model: String)] = [
            ("claude", "anthropic", "claude-sonnet-4-5"), ("gemini-flash", "gemini", "gemini-2.5-flash"),
            ("nova", "bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0"), ("azure-mini", "azure", "gpt-4o-mini"),
            ("claude-overloaded", "anthropic", "fault-529"), ("claude-stream-error", "anthropic", "fault-stream-error"),
            ("claude-truncated", "anthropic", "fault-truncate"), ("gemini-limited", "gemini", "fault-429"),
            ("gemini-truncated", "gemini", "fault-truncate"), ("bedrock-throttled", "bedrock", "fault-stream-error"),
            ("bedrock-bad-crc", "bedrock", "fault-bad-crc"), ("bedrock-truncated", "bedrock", "fault-truncate"),
        ]
        for (alias, provider, model) in native {
            configuration.models.append(ModelSettings(name: alias, targets: [TargetSettings(provider: provider, model: model)], price: Price(input: 3, output: 15)))
        }
        configuration.models.append(ModelSettings(name: "claude-then-mini", targets: [
            TargetSettings(provider: "anthropic", model: "fault-529", weight: 1000), TargetSettings(provider: "fake", model: "gpt-4o-mini"),
        ]))
        for fault in ["status-500", "status-502", "status-503", "status-529", "reset", "reset-after-first-byte", "slow-first-byte", "stall", "malformed"] {
            configuration.models.append(ModelSettings(name: fault, targets: [TargetSettings(provider: "fake", model: "fault-\(fault)")]))
        }
        configuration.routing.firstByteTimeoutSeconds = 0.3
        configuration.storage.ledgerFlushMilliseconds = 20
        edit(&configuration)
        return configuration
    }

    /// Bedrock with SigV4 credentials; the fake verifies the signature with `upstreamKey` as the secret.
    static func bedrockSettings(upstreamPort: Int, scheme: String = "http") -> ProviderSettings {
        var settings = ProviderSettings(name: "bedrock", type: "bedrock", baseURL: "\(scheme)://127.0.0.1:\(upstreamPort)")
        settings.region = "us-east-1"
        settings.accessKeyID = "AKIDEXAMPLE"
        settings.secretAccessKey = Secret(upstreamKey)
        return settings
    }

    /// `tls`: the fake serves HTTPS with the test CA's certificate and every provider trusts
    /// that CA (`providers.<name>.tls.ca_file`), so requests take the AsyncHTTPClient path that
    /// hosted providers use.
    static func run(
        tls: Bool = false,
        slowEventDelay: Duration = .milliseconds(100),
        edit: @Sendable (inout GatewayConfiguration) -> Void = { _ in },
        store: SQLiteAccountStore? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, FakeUpstream) async throws -> Void
    ) async throws {
        let store = try store ?? SQLiteAccountStore(path: ":memory:")
        let fake = FakeUpstream(expectedAPIKey: upstreamKey, slowEventDelay: slowEventDelay, slowFirstByteDelay: .seconds(1))
        try await fake.application(tls: tls ? try fake.fixtures.testServerTLS() : nil).test(.live) { upstream in
            let port = try #require(upstream.port)
            var logger = Logger(label: "switchyard-test")
            logger.logLevel = .error
            var dependencies = GatewayDependencies(logger: logger, accountStore: store)
            dependencies.keyRefreshInterval = .milliseconds(100)
            let app = try await buildApplication(configuration: configuration(upstreamPort: port, tls: tls, edit: edit), dependencies: dependencies)
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
