#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The kind of a JSON value found by `JSONScanner`.
public enum JSONKind: Sendable, Equatable {
    case object, array, string, number, bool, null
}

/// A value's location inside the scanned bytes.
public struct JSONSpan: Sendable, Equatable {
    public let kind: JSONKind
    public let range: Range<Int>
}

/// One member of a JSON object: its decoded key and the span of its value.
public struct JSONMember: Sendable, Equatable {
    public let key: String
    /// From the opening quote of the key to the end of the value.
    public let memberRange: Range<Int>
    public let value: JSONSpan
}

/// The error of a document that is not valid JSON (RFC 8259), with the byte offset.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A validating, allocation-light JSON scanner over a UTF-8 buffer.
///
/// It does not build a tree: it validates a value and reports where things are, so the gateway
/// can check a request's shape and edit a few top-level fields while forwarding every other
/// byte unchanged (the same-format fast path of DESIGN §1).
public struct JSONScanner: Sendable {
    public let bytes: [UInt8]
    /// Whether `root()` reads the document as a client's request must be read: duplicate keys in
    /// any object, invalid UTF-8 and lone surrogate escapes are errors, so what the gateway
    /// validates is exactly what an upstream parser sees (RFC 8259 leaves duplicates to each
    /// parser: one takes the first, another the last).
    public let strict: Bool
    /// Nesting deeper than this is rejected (protects the stack against hostile bodies).
    public static let maxDepth = 256

    public init(_ bytes: [UInt8], strict: Bool = false) {
        self.bytes = bytes
        self.strict = strict
    }

    /// Validates the whole document and returns the span of its root value.
    public func root() throws(JSONSyntaxError) -> JSONSpan {
        if strict, let offset = UTF8Validation.firstInvalidOffset(bytes) {
            throw fail(offset, "invalid UTF-8")
        }
        var i = skipWhitespace(0)
        let span = try scanValue(at: &i, depth: 0)
        i = skipWhitespace(i)
        guard i == bytes.count else { throw JSONSyntaxError(offset: i, reason: "unexpected data after the top-level value") }
        return span
    }

    /// The members of an object span, in document order (the span must come from this scanner).
    public func members(of object: JSONSpan) -> [JSONMember] {
        guard object.kind == .object else { return [] }
        var result: [JSONMember] = []
        var i = skipWhitespace(object.range.lowerBound + 1)
        while i < object.range.upperBound - 1 {
            let keyStart = i
            guard let keySpan = try? scanString(at: &i) else { break }
            let key = string(keySpan) ?? ""
            i = skipWhitespace(i) + 1  // colon
            i = skipWhitespace(i)
            guard let value = skipValue(at: &i) else { break }
            result.append(JSONMember(key: key, memberRange: keyStart..<value.range.upperBound, value: value))
            i = skipWhitespace(i)
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i = skipWhitespace(i + 1) }
        }
        return result
    }

    /// The first member named `key` of an object span. Keys are compared as bytes (decoded only
    /// when they hold escapes), and the scan stops at the match: no member list, no key strings.
    public func member(_ key: String, of object: JSONSpan) -> JSONMember? {
        guard object.kind == .object else { return nil }
        var wanted = key
        return wanted.withUTF8 { wantedBytes -> JSONMember? in
            var i = skipWhitespace(object.range.lowerBound + 1)
            while i < object.range.upperBound - 1 {
                let keyStart = i
                guard let keySpan = try? scanString(at: &i) else { return nil }
                i = skipWhitespace(i) + 1  // colon
                i = skipWhitespace(i)
                guard let value = skipValue(at: &i) else { return nil }
                if keyMatches(keySpan, wantedBytes, key) {
                    return JSONMember(key: key, memberRange: keyStart..<value.range.upperBound, value: value)
                }
                i = skipWhitespace(i)
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i = skipWhitespace(i + 1) }
            }
            return nil
        }
    }

    private func keyMatches(_ span: JSONSpan, _ wanted: UnsafeBufferPointer<UInt8>, _ key: String) -> Bool {
        let inner = (span.range.lowerBound + 1)..<(span.range.upperBound - 1)
        var escaped = false
        for index in inner where bytes[index] == UInt8(ascii: "\\") {
            escaped = true
            break
        }
        if escaped { return string(span) == key }
        guard inner.count == wanted.count else { return false }
        var offset = 0
        for index in inner {
            if bytes[index] != wanted[offset] { return false }
            offset += 1
        }
        return true
    }

    /// The elements of an array span, in order.
    public func elements(of array: JSONSpan) -> [JSONSpan] {
        guard array.kind == .array else { return [] }
        var result: [JSONSpan] = []
        var i = skipWhitespace(array.range.lowerBound + 1)
        while i < array.range.upperBound - 1 {
            guard let value = skipValue(at: &i) else { break }
            result.append(value)
            i = skipWhitespace(i)
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i = skipWhitespace(i + 1) }
        }
        return result
    }

    /// The decoded text of a string span (escapes resolved), or nil for other kinds.
    public func string(_ span: JSONSpan) -> String? {
        guard span.kind == .string else { return nil }
        let inner = (span.range.lowerBound + 1)..<(span.range.upperBound - 1)
        guard bytes[inner].contains(UInt8(ascii: "\\")) else {
            return String(decoding: bytes[inner], as: UTF8.self)
        }
        return JSONScanner.unescape(bytes[inner])
    }

    /// The value of a `true`/`false` span.
    public func bool(_ span: JSONSpan) -> Bool? {
        guard span.kind == .bool else { return nil }
        return bytes[span.range.lowerBound] == UInt8(ascii: "t")
    }

    /// The value of a number span as an integer, when it is one.
    public func int(_ span: JSONSpan) -> Int? {
        guard span.kind == .number else { return nil }
        return Int(String(decoding: bytes[span.range], as: UTF8.self))
    }

    /// The value of a number span as a double.
    public func double(_ span: JSONSpan) -> Double? {
        guard span.kind == .number else { return nil }
        return Double(String(decoding: bytes[span.range], as: UTF8.self))
    }

    /// The raw bytes of a span.
    public func raw(_ span: JSONSpan) -> ArraySlice<UInt8> { bytes[span.range] }

    // MARK: - Scanning

    func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return i
            }
        }
        return i
    }

    private func fail(_ offset: Int, _ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset, reason: reason)
    }

    func scanValue(at i: inout Int, depth: Int) throws(JSONSyntaxError) -> JSONSpan {
        guard i < bytes.count else { throw fail(i, "unexpected end of input") }
        let start = i
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < JSONScanner.maxDepth else { throw fail(i, "nesting too deep") }
            i = skipWhitespace(i + 1)
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return JSONSpan(kind: .object, range: start..<i) }
            var keys = KeySet()
            while true {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail(i, "expected a string key") }
                let key = try scanString(at: &i)
                if strict, !keys.insert(key, in: self) {
                    throw fail(key.range.lowerBound, "duplicate key \"\((string(key) ?? "").excerpt)\"")
                }
                i = skipWhitespace(i)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail(i, "expected ':'") }
                i = skipWhitespace(i + 1)
                _ = try scanValue(at: &i, depth: depth + 1)
                i = skipWhitespace(i)
                guard i < bytes.count else { throw fail(i, "unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i = skipWhitespace(i + 1); continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return JSONSpan(kind: .object, range: start..<i) }
                throw fail(i, "expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            guard depth < JSONScanner.maxDepth else { throw fail(i, "nesting too deep") }
            i = skipWhitespace(i + 1)
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return JSONSpan(kind: .array, range: start..<i) }
            while true {
                _ = try scanValue(at: &i, depth: depth + 1)
                i = skipWhitespace(i)
                guard i < bytes.count else { throw fail(i, "unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i = skipWhitespace(i + 1); continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return JSONSpan(kind: .array, range: start..<i) }
                throw fail(i, "expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return try scanString(at: &i)
        case UInt8(ascii: "t"): return try scanLiteral("true", .bool, at: &i)
        case UInt8(ascii: "f"): return try scanLiteral("false", .bool, at: &i)
        case UInt8(ascii: "n"): return try scanLiteral("null", .null, at: &i)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try scanNumber(at: &i)
        default:
            throw fail(i, "unexpected character")
        }
    }

    /// The span of the value at `i` in a document `root()` has validated (every span comes from
    /// it): its end, found without checking the value again — strings by `memchr` for their
    /// closing quote. `members`, `member` and `elements` walk with it, so a 100k-token prompt is
    /// validated once and then skipped at memory speed however often the request is read.
    func skipValue(at i: inout Int) -> JSONSpan? {
        guard i < bytes.count else { return nil }
        let start = i
        switch bytes[i] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard skipString(at: &i) else { return nil }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return JSONSpan(kind: bytes[start] == UInt8(ascii: "{") ? .object : .array, range: start..<i)
                    }
                default: break
                }
                i += 1
            }
            return nil
        case UInt8(ascii: "\""):
            guard skipString(at: &i) else { return nil }
            return JSONSpan(kind: .string, range: start..<i)
        case UInt8(ascii: "t"): return try? scanLiteral("true", .bool, at: &i)
        case UInt8(ascii: "f"): return try? scanLiteral("false", .bool, at: &i)
        case UInt8(ascii: "n"): return try? scanLiteral("null", .null, at: &i)
        default: return try? scanNumber(at: &i)
        }
    }

    /// Moves `i` from a string's opening quote to just past its closing one: the first `"` not
    /// escaped by an odd run of backslashes. False when there is none.
    private func skipString(at i: inout Int) -> Bool {
        bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            let opening = i
            var from = i + 1
            while from < buffer.count {
                guard let found = memchr(base + from, 0x22, buffer.count - from) else { return false }
                let quote = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                var backslashes = 0
                while quote - backslashes - 1 > opening, base[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
                if backslashes % 2 == 0 {
                    i = quote + 1
                    return true
                }
                from = quote + 1
            }
            return false
        }
    }

    private func scanLiteral(_ literal: StaticString, _ kind: JSONKind, at i: inout Int) throws(JSONSyntaxError) -> JSONSpan {
        let start = i
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw fail(i, "unexpected end of input") }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for k in 0..<count where bytes[i + k] != expected[k] { throw fail(i + k, "invalid literal") }
        i += count
        return JSONSpan(kind: kind, range: start..<i)
    }

    private func scanNumber(at i: inout Int) throws(JSONSyntaxError) -> JSONSpan {
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            return i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count else { throw fail(i, "invalid number") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { throw fail(i, "invalid number") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw fail(i, "invalid number") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail(i, "invalid number") }
        }
        return JSONSpan(kind: .number, range: start..<i)
    }

    func scanString(at i: inout Int) throws(JSONSyntaxError) -> JSONSpan {
        let start = i
        i += 1
        while i < bytes.count {
            i = JSONScanner.skipPlainStringBytes(bytes, from: i)
            guard i < bytes.count else { break }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                i += 1
                return JSONSpan(kind: .string, range: start..<i)
            } else if byte == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard let code = hex4(at: i + 2) else { throw fail(i, "invalid \\u escape") }
                    if strict, (0xD800..<0xE000).contains(code) {
                        // A surrogate escape must be a high one followed by a low one.
                        guard code < 0xDC00, i + 7 < bytes.count, bytes[i + 6] == UInt8(ascii: "\\"), bytes[i + 7] == UInt8(ascii: "u"),
                            let low = hex4(at: i + 8), (0xDC00..<0xE000).contains(low)
                        else { throw fail(i, "lone surrogate in \\u escape") }
                        i += 6
                    }
                    i += 6
                default:
                    throw fail(i, "invalid escape")
                }
            } else if byte < 0x20 {
                throw fail(i, "control character in string")
            } else {
                i += 1
            }
        }
        throw fail(start, "unterminated string")
    }

    /// The index of the first byte from `start` that ends or escapes a string or is a control
    /// character (`"`, `\\`, < 0x20); 16 bytes per step as two 64-bit words tested with the
    /// has-a-zero-byte / has-a-byte-below-n bit tricks (exact: a word with none of them never
    /// stops the scan), so long prompts scan at memory speed.
    static func skipPlainStringBytes(_ bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return start }
            let raw = UnsafeRawPointer(base)
            let count = buffer.count
            var index = start
            while count - index >= 16 {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let next = raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                if mayEndString(word) || mayEndString(next) { break }
                index += 16
            }
            while index < count {
                let byte = base[index]
                if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
                index += 1
            }
            return index
        }
    }

    /// Whether any of the word's eight bytes is `"`, `\\` or below 0x20.
    @inline(__always) private static func mayEndString(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        let found = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
        return found & high != 0
    }

    /// The value of the four hex digits at `offset`, or nil when they are not there.
    private func hex4(at offset: Int) -> UInt32? {
        guard offset + 3 < bytes.count else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            guard let digit = JSONScanner.hexValue(bytes[offset + k]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    /// The keys of one object seen so far, for strict mode's duplicate check: byte comparison of
    /// the raw keys (decoded only when either holds an escape), a hash set past 16 keys.
    struct KeySet {
        private var spans: [JSONSpan] = []
        private var decoded: Set<String>?

        /// False when an equal key was already there.
        mutating func insert(_ key: JSONSpan, in scanner: JSONScanner) -> Bool {
            if decoded != nil { return decoded?.insert(scanner.string(key) ?? "").inserted ?? false }
            for other in spans where scanner.sameKey(other, key) { return false }
            spans.append(key)
            if spans.count > 16 { decoded = Set(spans.map { scanner.string($0) ?? "" }) }
            return true
        }
    }

    /// Whether two key spans decode to the same string.
    func sameKey(_ a: JSONSpan, _ b: JSONSpan) -> Bool {
        let left = bytes[(a.range.lowerBound + 1)..<(a.range.upperBound - 1)], right = bytes[(b.range.lowerBound + 1)..<(b.range.upperBound - 1)]
        if left.contains(UInt8(ascii: "\\")) || right.contains(UInt8(ascii: "\\")) { return string(a) == string(b) }
        return left.elementsEqual(right)
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Resolves the escapes of a validated string body (without its quotes).
    static func unescape(_ body: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var i = body.startIndex
        func flush() {
            if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8.removeAll() }
        }
        func hex4(_ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 4 | (hexValue(body[at + $1]) ?? 0) }
        }
        while i < body.endIndex {
            let byte = body[i]
            guard byte == UInt8(ascii: "\\") else { utf8.append(byte); i += 1; continue }
            let escape = body[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "u"):
                flush()
                var code = hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 5 < body.endIndex, body[i] == UInt8(ascii: "\\"), body[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: utf8.append(escape)
            }
        }
        flush()
        return String(scalars)
    }
}
