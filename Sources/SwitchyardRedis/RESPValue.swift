/// One value of Redis's serialization protocol (RESP2), as a reply or as a command.
package enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    /// A bulk string; nil is RESP's null bulk string (`$-1`).
    case bulkString([UInt8]?)
    /// An array; nil is RESP's null array (`*-1`).
    case array([RESPValue]?)

    /// A bulk string of `text`'s UTF-8 bytes.
    package static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

    /// The value as text: simple strings, and bulk strings that are UTF-8.
    package var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(validating: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The value as an integer: integers, and strings of decimal digits (Lua scripts reply either).
    package var int: Int64? {
        switch self {
        case .integer(let value): value
        case .simpleString, .bulkString: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of a non-null array.
    package var elements: [RESPValue]? {
        if case .array(let items?) = self { return items }
        return nil
    }

    /// The serialized value.
    package var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    func encode(into out: inout [UInt8]) {
        switch self {
        case .simpleString(let text): line(UInt8(ascii: "+"), Array(text.utf8), &out)
        case .error(let text): line(UInt8(ascii: "-"), Array(text.utf8), &out)
        case .integer(let value): line(UInt8(ascii: ":"), Array(String(value).utf8), &out)
        case .bulkString(nil): line(UInt8(ascii: "$"), Array("-1".utf8), &out)
        case .bulkString(let bytes?):
            line(UInt8(ascii: "$"), Array(String(bytes.count).utf8), &out)
            out += bytes
            out += [13, 10]
        case .array(nil): line(UInt8(ascii: "*"), Array("-1".utf8), &out)
        case .array(let items?):
            line(UInt8(ascii: "*"), Array(String(items.count).utf8), &out)
            for item in items { item.encode(into: &out) }
        }
    }

    private func line(_ prefix: UInt8, _ body: [UInt8], _ out: inout [UInt8]) {
        out.append(prefix)
        out += body
        out += [13, 10]
    }
}

/// A Redis command: its arguments as bulk strings (`SET k v` is `["SET", "k", "v"]`).
package struct RESPCommand: Sendable, Equatable {
    package var arguments: [[UInt8]]

    package init(_ arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    package init(_ name: String, _ arguments: String...) {
        self.arguments = [Array(name.utf8)] + arguments.map { Array($0.utf8) }
    }

    /// The command as RESP sends it: an array of bulk strings.
    package var encoded: [UInt8] { RESPValue.array(arguments.map { .bulkString($0) }).encoded }
}
