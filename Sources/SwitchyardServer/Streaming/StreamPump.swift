import AsyncHTTPClient
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardRouting
import SwitchyardProviders

/// The I/O shell around `OpenAIStreamRelay`: reads upstream bytes, frames SSE events, writes
/// what the relay says. A client that goes away ends the loop, which drops the upstream body and
/// so cancels the upstream request.
enum StreamPump {
    struct Outcome {
        var relay: OpenAIStreamRelay
        var clientConnected: Bool
        /// What the ledger records: 200 for a complete stream, the error's status otherwise,
        /// 499 when the client left first.
        var status: Int
    }

    static func run(
        upstream: UpstreamBodyReader, relay: OpenAIStreamRelay, provider: String, silenceLimit: Duration, deadline: ContinuousClock.Instant,
        writer: inout any ResponseBodyWriter
    ) async -> Outcome {
        var relay = relay
        var parser = SSEParser()
        do {
            while let buffer = try await upstream.next(timeout: min(silenceLimit, ContinuousClock.now.duration(to: deadline))) {
                let events: [SSEEvent]
                do {
                    events = try parser.feed(buffer.readableBytesView)
                } catch {
                    let failure = GatewayError.upstreamMalformed(provider, "a stream event exceeded the size limit")
                    return await close(&writer, relay: relay, bytes: failure.openAIStreamEvent, status: failure.status)
                }
                var output: [UInt8] = []
                for event in events {
                    switch relay.event(event) {
                    case .write(let bytes): output += bytes
                    case .skip: continue
                    case .finish(let bytes):
                        output += bytes
                        return await close(&writer, relay: relay, bytes: output, status: 200)
                    case .fail(let bytes):
                        output += bytes
                        return await close(&writer, relay: relay, bytes: output, status: 502)
                    }
                }
                if !output.isEmpty {
                    do { try await writer.write(ByteBuffer(bytes: output)) } catch { return Outcome(relay: relay, clientConnected: false, status: 499) }
                }
            }
        } catch {
            let failure = GatewayError.transportFailure(error, provider: provider)
            return await close(&writer, relay: relay, bytes: failure.openAIStreamEvent, status: failure.status)
        }
        if let last = parser.finish() {
            switch relay.event(last) {
            case .finish(let bytes): return await close(&writer, relay: relay, bytes: bytes, status: 200)
            case .write(let bytes), .fail(let bytes):
                return await close(&writer, relay: relay, bytes: bytes + relay.truncatedError, status: 502)
            case .skip: break
            }
        }
        return await close(&writer, relay: relay, bytes: relay.truncatedError, status: 502)
    }

    private static func close(_ writer: inout any ResponseBodyWriter, relay: OpenAIStreamRelay, bytes: [UInt8], status: Int) async -> Outcome {
        do {
            try await writer.write(ByteBuffer(bytes: bytes))
            return Outcome(relay: relay, clientConnected: true, status: status)
        } catch {
            return Outcome(relay: relay, clientConnected: false, status: 499)
        }
    }
}
