/// Reads RESP2 replies incrementally — a pure state machine (DESIGN §6.6): bytes in as the
/// network delivers them, complete values out, in order (pipelined replies included). Whatever
/// a server or a man in the middle sends, it never traps: bad framing, absurd lengths, deep
/// nesting and integer overflow are a `RESPParser.Failure`, after which the connection is done.
package struct RESPParser: Sendable {
    /// Why the bytes are not RESP.
    package enum Failure: Error, Sendable, Equatable {
        case unknownType(UInt8)
        case badLength
        case badInteger
        case tooLarge
        case tooDeep
        case missingCRLF
    }

    /// The largest bulk string accepted (Redis's own limit is 512 MB; the gateway stores small values).
    package let maxBulkBytes: Int
    /// The most elements one array may announce.
    package let maxArrayCount: Int
    package let maxDepth: Int

    private var buffer: [UInt8] = []
    private var offset = 0

    package init(maxBulkBytes: Int = 64 << 20, maxArrayCount: Int = 1 << 20, maxDepth: Int = 16) {
        self.maxBulkBytes = maxBulkBytes
        self.maxArrayCount = maxArrayCount
        self.maxDepth = maxDepth
    }

    /// Appends `bytes` and returns every value now complete.
    package mutating func feed(_ bytes: some Collection<UInt8>) throws(Failure) -> [RESPValue] {
        buffer.append(contentsOf: bytes)
        var values: [RESPValue] = []
        while offset < buffer.count {
            var cursor = offset
            guard let value = try parse(at: &cursor, depth: 0) else { break }
            values.append(value)
            offset = cursor
        }
        // Drop what was consumed once it is most of the buffer (amortised O(1) per byte).
        if offset > 4096 && offset * 2 > buffer.count {
            buffer.removeFirst(offset)
            offset = 0
        }
        return values
    }

    /// Whether bytes of an unfinished value are waiting.
    package var hasPartialValue: Bool { offset < buffer.count }

    // MARK: - Parsing (nil: not enough bytes yet)

    private func parse(at cursor: inout Int, depth: Int) throws(Failure) -> RESPValue? {
        guard depth <= maxDepth else { throw .tooDeep }
        guard cursor < buffer.count else { return nil }
        let type = buffer[cursor]
        var position = cursor + 1
        guard let line = try readLine(at: &position) else { return nil }
        let value: RESPValue
        switch type {
        case UInt8(ascii: "+"): value = .simpleString(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: "-"): value = .error(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: ":"): value = .integer(try integer(line))
        case UInt8(ascii: "$"):
            guard let count = try length(line, max: maxBulkBytes) else {
                value = .bulkString(nil)
                break
            }
            // The payload and its CRLF must both be here.
            guard buffer.count - position >= count + 2 else { return nil }
            guard buffer[position + count] == 13, buffer[position + count + 1] == 10 else { throw .missingCRLF }
            value = .bulkString(Array(buffer[position..<(position + count)]))
            position += count + 2
        case UInt8(ascii: "*"):
            guard let count = try length(line, max: maxArrayCount) else {
                value = .array(nil)
                break
            }
            var items: [RESPValue] = []
            items.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let item = try parse(at: &position, depth: depth + 1) else { return nil }
                items.append(item)
            }
            value = .array(items)
        default:
            throw .unknownType(type)
        }
        cursor = position
        return value
    }

    /// The bytes up to the next CRLF (moving past it), or nil when it has not arrived.
    private func readLine(at position: inout Int) throws(Failure) -> ArraySlice<UInt8>? {
        var index = position
        while index < buffer.count {
            if buffer[index] == 13 {
                guard index + 1 < buffer.count else { return nil }
                guard buffer[index + 1] == 10 else { throw .missingCRLF }
                let line = buffer[position..<index]
                position = index + 2
                return line
            }
            if buffer[index] == 10 { throw .missingCRLF }
            index += 1
            // A header line is a type byte and a number or a short status: nothing legitimate is long.
            if index - position > maxLineBytes { throw .tooLarge }
        }
        return nil
    }

    /// Simple strings and errors are short status lines; a longer line is not RESP from Redis.
    private var maxLineBytes: Int { 64 << 10 }

    /// A bulk string's or an array's announced length: nil for RESP's null (`-1`), at most `max`.
    private func length(_ line: ArraySlice<UInt8>, max: Int) throws(Failure) -> Int? {
        let value = try integer(line)
        if value == -1 { return nil }
        guard value >= 0 else { throw .badLength }
        guard value <= Int64(max) else { throw .tooLarge }
        return Int(value)
    }

    /// A decimal `Int64` (optional minus sign), overflow-checked.
    private func integer(_ digits: ArraySlice<UInt8>) throws(Failure) -> Int64 {
        var index = digits.startIndex
        var negative = false
        if index < digits.endIndex, digits[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < digits.endIndex else { throw .badInteger }
        var value: Int64 = 0
        while index < digits.endIndex {
            let byte = digits[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .badInteger }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw .badInteger }
            value = sum
            index += 1
        }
        return value
    }
}
