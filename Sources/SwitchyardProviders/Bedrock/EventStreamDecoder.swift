/// Decodes `application/vnd.amazon.eventstream` frames (PROTOCOLS §4.5): a prelude with total
/// and header lengths and its CRC, typed headers, the payload, and a CRC over the whole message.
/// A pure state machine: bytes in, messages out; a bad frame is an error and ends the stream.
public struct EventStreamDecoder: Sendable {
    /// One decoded message: its string headers and payload.
    public struct Message: Sendable, Equatable {
        public var headers: [String: String]
        public var payload: [UInt8]
    }

    /// Why a frame could not be decoded.
    public enum FrameError: Error, Sendable, Equatable {
        case badLength(Int)
        case preludeCRCMismatch
        case messageCRCMismatch
        case badHeaders
    }

    static let maxMessageBytes = 24 * 1024 * 1024 + 128 * 1024 + 16

    private var buffer: [UInt8] = []
    private var offset = 0

    public init() {}

    /// Whether bytes of an unfinished frame are waiting (a stream ending now was cut short).
    public var hasPartialMessage: Bool { buffer.count > offset }

    public mutating func feed(_ bytes: [UInt8]) throws(FrameError) -> [Message] {
        buffer.append(contentsOf: bytes)
        var messages: [Message] = []
        while buffer.count - offset >= 12 {
            let total = Int(readUInt32(at: offset))
            let headersLength = Int(readUInt32(at: offset + 4))
            guard total >= 16, total <= EventStreamDecoder.maxMessageBytes, headersLength <= total - 16 else { throw .badLength(total) }
            guard CRC32.checksum(buffer[offset..<offset + 8]) == readUInt32(at: offset + 8) else { throw .preludeCRCMismatch }
            guard buffer.count - offset >= total else { break }
            guard CRC32.checksum(buffer[offset..<offset + total - 4]) == readUInt32(at: offset + total - 4) else { throw .messageCRCMismatch }
            let headers = try parseHeaders(buffer[(offset + 12)..<(offset + 12 + headersLength)])
            messages.append(Message(headers: headers, payload: Array(buffer[(offset + 12 + headersLength)..<(offset + total - 4)])))
            offset += total
        }
        if offset > 0 && offset == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            offset = 0
        } else if offset > 64 * 1024 {
            buffer.removeFirst(offset)
            offset = 0
        }
        return messages
    }

    private func readUInt32(at index: Int) -> UInt32 {
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16 | UInt32(buffer[index + 2]) << 8 | UInt32(buffer[index + 3])
    }

    private func parseHeaders(_ bytes: ArraySlice<UInt8>) throws(FrameError) -> [String: String] {
        var headers: [String: String] = [:]
        var i = bytes.startIndex
        func need(_ count: Int) throws(FrameError) { if i + count > bytes.endIndex { throw .badHeaders } }
        while i < bytes.endIndex {
            try need(1)
            let nameLength = Int(bytes[i]); i += 1
            try need(nameLength + 1)
            let name = String(decoding: bytes[i..<i + nameLength], as: UTF8.self); i += nameLength
            let type = bytes[i]; i += 1
            switch type {
            case 0, 1: continue
            case 2: try need(1); i += 1
            case 3: try need(2); i += 2
            case 4: try need(4); i += 4
            case 5, 8: try need(8); i += 8
            case 9: try need(16); i += 16
            case 6, 7:
                try need(2)
                let length = Int(bytes[i]) << 8 | Int(bytes[i + 1]); i += 2
                try need(length)
                if type == 7 { headers[name] = String(decoding: bytes[i..<i + length], as: UTF8.self) }
                i += length
            default: throw .badHeaders
            }
        }
        return headers
    }
}

/// CRC-32 (IEEE 802.3, the zlib one) as the event-stream framing uses it.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        return crc
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
