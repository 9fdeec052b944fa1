/// One server-sent event: the `event:` name (if any) and the joined `data:` lines.
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: [UInt8]
    public var id: String?

    public init(event: String? = nil, data: [UInt8], id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// `data` as text (lossy for invalid UTF-8).
    public var text: String { String(decoding: data, as: UTF8.self) }
    /// Whether this is OpenAI's terminal `data: [DONE]` sentinel.
    public var isDone: Bool { data.elementsEqual("[DONE]".utf8) }
}

/// Incremental parser for `text/event-stream` (WHATWG HTML §9.2): feed it byte chunks split
/// anywhere, get complete events back. Accepts LF, CRLF and CR line endings, comments, multi-line
/// data, and a stream that ends without the final blank line (`finish()`).
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var eventName: String?
    private var data: [UInt8] = []
    private var hasData = false
    private var lastID: String?
    /// Upper bound on one event's size; a larger one is a protocol error (a stuck or hostile upstream).
    public let maxEventBytes: Int

    public init(maxEventBytes: Int = 16 * 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    /// The parser's error: an event grew past `maxEventBytes`.
    public struct EventTooLarge: Error, Sendable {}

    /// Feeds bytes; returns the events they completed, in order.
    public mutating func feed(_ bytes: [UInt8]) throws -> [SSEEvent] {
        try bytes.withUnsafeBufferPointer { try feed($0) }
    }

    /// Feeds bytes of any collection (copied once into contiguous storage).
    public mutating func feed<C: Collection>(_ bytes: C) throws -> [SSEEvent] where C.Element == UInt8 {
        if let events = try bytes.withContiguousStorageIfAvailable({ try feed($0) }) { return events }
        return try feed(Array(bytes))
    }

    /// Feeds bytes: whole line segments are copied at once (no per-byte work beyond finding line ends).
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        var index = 0
        let count = bytes.count
        while index < count {
            if lastWasCR {
                lastWasCR = false
                if bytes[index] == 0x0A {
                    index += 1
                    continue
                }
            }
            var end = index
            while end < count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            if end > index {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                if line.count + data.count > maxEventBytes { throw EventTooLarge() }
            }
            guard end < count else { break }
            lastWasCR = bytes[end] == 0x0D
            try endLine(into: &events)
            index = end + 1
        }
        return events
    }

    /// Ends the stream: a pending event without its closing blank line is returned when it has data.
    public mutating func finish() -> SSEEvent? {
        var events: [SSEEvent] = []
        if !line.isEmpty { try? endLine(into: &events) }
        defer { reset() }
        guard hasData else { return nil }
        return SSEEvent(event: eventName, data: data, id: lastID)
    }

    /// Whether bytes of an unfinished event are buffered (a stream cut here was truncated).
    public var hasPartialEvent: Bool { !line.isEmpty || hasData }

    private mutating func reset() {
        eventName = nil
        data.removeAll(keepingCapacity: true)
        hasData = false
    }

    private mutating func endLine(into events: inout [SSEEvent]) throws {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            if hasData { events.append(SSEEvent(event: eventName, data: data, id: lastID)) }
            reset()
            return
        }
        if line[0] == UInt8(ascii: ":") { return }  // comment
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = colon.map { line[..<$0] } ?? line[...]
        var value = colon.map { line[line.index(after: $0)...] } ?? []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            eventName = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual("id".utf8) {
            lastID = String(decoding: value, as: UTF8.self)
        }
        // `retry:` and unknown fields are ignored, as the spec says.
    }
}
