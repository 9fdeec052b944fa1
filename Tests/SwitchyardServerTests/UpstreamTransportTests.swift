import AsyncHTTPClient
import Testing
@testable import SwitchyardServer

@Suite struct UpstreamTransportTests {
    /// Regression: AHC retried refused connections until its 10 s connect timeout, so one dead
    /// deployment delayed failover to a healthy one by 10 s.
    @Test func refusedConnectionsFailAtOnceSoFailoverIsImmediate() {
        let configuration = HTTPUpstreamTransport.clientConfiguration()
        #expect(configuration.connectionPool.retryConnectionEstablishment == false)
    }
}
