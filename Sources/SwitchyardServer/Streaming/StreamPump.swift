import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders

/// The I/O shell around a `ClientStreamRelay`: reads upstream bytes, writes what the relay says.
/// A client that goes away ends the loop, which drops the upstream body and so cancels the
/// upstream request.
///
/// `settle` runs exactly once, when the stream's outcome is known and before its closing bytes
/// (`[DONE]`, `message_stop`, an in-stream error) are written: SDKs treat those as the end of the
/// response, so the request's ledger row must be durable by then.
enum StreamPump {
    struct Outcome<Relay: ClientStreamRelay> {
        var relay: Relay
        var clientConnected: Bool
        /// What the ledger records: 200 for a complete stream, the error's status otherwise,
        /// 499 when the client left first.
        var status: Int
    }

    static func run<Relay: ClientStreamRelay>(
        upstream: UpstreamBodyReader, relay: Relay, provider: String, silenceLimit: Duration, deadline: ContinuousClock.Instant,
        writer: inout any ResponseBodyWriter, settle: (Outcome<Relay>) async -> Void
    ) async -> Outcome<Relay> {
        var relay = relay
        do {
            while let buffer = try await upstream.next(timeout: min(silenceLimit, ContinuousClock.now.duration(to: deadline))) {
                let step = relay.feed(Array(buffer.readableBytesView))
                if let end = step.end { return await close(&writer, relay: relay, bytes: step.output, end: end, settle: settle) }
                if !step.output.isEmpty {
                    do {
                        try await writer.write(ByteBuffer(bytes: step.output))
                    } catch {
                        let gone = Outcome(relay: relay, clientConnected: false, status: 499)
                        await settle(gone)
                        return gone
                    }
                }
            }
        } catch {
            let failure = GatewayError.transportFailure(error, provider: provider, afterHead: true)
            let bytes = relay.interrupted(by: failure)
            return await close(&writer, relay: relay, bytes: bytes, end: .failed(status: failure.status), settle: settle)
        }
        let step = relay.upstreamEnded()
        return await close(&writer, relay: relay, bytes: step.output, end: step.end ?? .complete, settle: settle)
    }

    /// Settles, then writes the closing bytes.
    private static func close<Relay: ClientStreamRelay>(
        _ writer: inout any ResponseBodyWriter, relay: Relay, bytes: [UInt8], end: RelayEnd, settle: (Outcome<Relay>) async -> Void
    ) async -> Outcome<Relay> {
        let status: Int
        switch end {
        case .complete: status = 200
        case .failed(let code): status = code
        }
        let outcome = Outcome(relay: relay, clientConnected: true, status: status)
        await settle(outcome)
        do {
            try await writer.write(ByteBuffer(bytes: bytes))
            return outcome
        } catch {
            // The client left at the very end: it was metered for the whole stream, which it was sent.
            return Outcome(relay: relay, clientConnected: false, status: status)
        }
    }
}
