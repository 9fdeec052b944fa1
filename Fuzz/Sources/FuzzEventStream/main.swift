import SwitchyardProviders

/// Bedrock's binary event-stream decoder (prelude, CRCs, headers), whole and byte by byte.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventStream(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var whole = EventStreamDecoder()
    let all = try? whole.feed(bytes)
    var pieces = EventStreamDecoder()
    var messages: [EventStreamDecoder.Message] = []
    var failed = false
    for byte in bytes where !failed {
        do { messages += try pieces.feed([byte]) } catch { failed = true }
    }
    if let all, !failed { precondition(all == messages, "chunking changed the messages") }
    return 0
}
