import SwitchyardCore
import SwitchyardProviders

/// Relays a stream as `inner` does while reading the same upstream bytes with the deployment's
/// translator, so the answer can be stored as it passes (pure, like the relays it wraps).
struct CapturingRelay: ClientStreamRelay {
    private(set) var inner: any ClientStreamRelay
    private var translator: any StreamTranslator
    private var accumulator = AnswerAccumulator()

    init(inner: any ClientStreamRelay, translator: any StreamTranslator) {
        self.inner = inner
        self.translator = translator
    }

    mutating func feed(_ bytes: [UInt8]) -> RelayStep {
        accumulator.add(translator.feed(bytes))
        return inner.feed(bytes)
    }

    mutating func upstreamEnded() -> RelayStep {
        accumulator.add(translator.finish())
        return inner.upstreamEnded()
    }

    mutating func interrupted(by error: GatewayError) -> [UInt8] {
        accumulator.add([.error(error)])
        return inner.interrupted(by: error)
    }

    func usage(promptBytes: Int) -> Usage { inner.usage(promptBytes: promptBytes) }

    /// The streamed answer, when it completed.
    var answer: ChatResponse? { accumulator.answer }
}
