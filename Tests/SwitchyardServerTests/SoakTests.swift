import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Bounded soak: 2,000 requests at concurrency 32 against an alias with three equal-weight
/// deployments — one healthy, one failing 30% of the time, one down.
@Suite struct SoakTests {
    static let total = 2000
    static let concurrency = 32

    @Test func noClientVisibleErrorsWhileOneDeploymentFlakesAndOneIsDown() async throws {
        try await GatewayHarness.run(edit: { configuration in
            configuration.routing.retries = 2
            configuration.routing.cooldownFailures = 3
            configuration.routing.cooldownSeconds = 0.5
            configuration.models.append(ModelSettings(name: "soak", targets: [
                TargetSettings(provider: "fake", model: "gpt-4o-mini"),
                TargetSettings(provider: "fake", model: "fault-flaky-30"),
                TargetSettings(provider: "down", model: "gpt-4o-mini"),
            ]))
        }) { client, fake in
            let port = try #require(client.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let statuses: [Int]
            do {
                statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for _ in 0..<Self.concurrency {
                        group.addTask {
                            var seen: [Int] = []
                            for _ in 0..<(Self.total / Self.concurrency) {
                                let request = gatewayRequest(port: port, key: GatewayHarness.masterKey, body: chatBody("soak"))
                                let response = try await http.execute(request, timeout: .seconds(30))
                                _ = try await response.body.collect(upTo: 1 << 20)
                                seen.append(Int(response.status.code))
                            }
                            return seen
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()

            #expect(statuses.count == Self.total / Self.concurrency * Self.concurrency)
            #expect(statuses.allSatisfy { $0 == 200 }, "client-visible errors: \(statuses.filter { $0 != 200 }.count)")

            // Between the two reachable deployments the equal weights hold: the flaky one is
            // picked first about half the time (its 30% failures fail over to the healthy one).
            let models = fake.requests.compactMap { $0.json?["model"] as? String }
            let flakyShare = Double(models.filter { $0 == "fault-flaky-30" }.count) / Double(statuses.count)
            #expect(flakyShare > 0.38 && flakyShare < 0.62, "flaky share \(flakyShare)")

            try await client.execute(uri: "/admin/models", method: .get, headers: .authorized) { response in
                let data = try #require(try json(response.body)["data"] as? [[String: Any]])
                let soak = data.filter { $0["model"] as? String == "soak" }
                let down = try #require(soak.first { $0["provider"] as? String == "down" })
                let healthy = try #require(soak.first { $0["upstream_model"] as? String == "gpt-4o-mini" && $0["provider"] as? String == "fake" })
                #expect(down["state"] as? String != "healthy", "the dead deployment's breaker is open or probing")
                #expect(down["error_rate"] as? Double == 1)
                #expect(healthy["state"] as? String == "healthy")
                #expect(healthy["error_rate"] as? Double == 0)
            }
        }
    }
}
