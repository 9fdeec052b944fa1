import SwitchyardCore

/// The SSE framer fed the input whole and in small pieces: the same events either way (an
/// upstream's chunking never changes what the gateway reads).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSEParser(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var whole = SSEParser(maxEventBytes: 4096)
    let all = try? whole.feed(bytes)
    var pieces = SSEParser(maxEventBytes: 4096)
    var events: [SSEEvent] = []
    var failed = false
    var index = 0
    let step = max(1, Int(bytes.first ?? 1) % 7 + 1)
    while index < bytes.count && !failed {
        let end = min(bytes.count, index + step)
        do { events += try pieces.feed(Array(bytes[index..<end])) } catch { failed = true }
        index = end
    }
    if let all, !failed { precondition(all == events, "chunking changed the events") }
    return 0
}
