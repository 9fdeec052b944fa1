import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite struct ClientDisconnectTests {
    @Test func aClientThatLeavesMidStreamCancelsTheUpstreamRequest() async throws {
        // Events 400 ms apart: the upstream would finish after ~2.8 s if nothing cancelled it.
        // (A silence limit above the pace, so only the client's leaving can end it early.)
        try await GatewayHarness.run(slowEventDelay: .milliseconds(400), edit: { $0.routing.firstByteTimeoutSeconds = 5 }) { client, fake in
            let port = try #require(client.port)
            let request = gatewayRequest(port: port, key: GatewayHarness.masterKey, body: chatBody("slow", stream: true))
            let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(10))
                #expect(response.status == .ok)
                for try await chunk in response.body {
                    #expect(String(buffer: chunk).contains("data: "))
                    break  // leave after the first event; dropping the body cancels our request
                }
            } catch {
                try await httpClient.shutdown()
                throw error
            }
            try await httpClient.shutdown()
            // If the gateway kept reading, the stream would complete instead of being cancelled.
            for _ in 0..<50 where fake.streamsCancelled == 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(fake.streamsCancelled == 1)
            #expect(fake.streamsCompleted == 0)
        }
    }
}
