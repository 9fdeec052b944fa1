import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SwitchyardTesting
import Testing

@Suite struct ClientDisconnectTests {
    @Test func aClientThatLeavesMidStreamCancelsTheUpstreamRequest() async throws {
        try await GatewayHarness.run { client, fake in
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
            // The fake paces its 7 events 100 ms apart; if the gateway kept reading it would complete.
            for _ in 0..<40 where fake.streamsCancelled == 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(fake.streamsCancelled == 1)
            #expect(fake.streamsCompleted == 0)
        }
    }
}
