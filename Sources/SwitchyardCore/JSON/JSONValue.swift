/// A parsed JSON document, for the translating (non-fast) paths where a body is re-shaped.
///
/// Objects keep their members in document order (tool schemas and arguments are forwarded as
/// the client wrote them); numbers keep their source text so integers stay exact.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's JSON text, e.g. `42` or `0.7`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONField])

    /// One member of a JSON object.
    public struct JSONField: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Parses a whole document (`strict`: as a client's request, see `JSONScanner.strict`).
    @inlinable
    public static func parse<C: Collection>(_ bytes: C, strict: Bool = false) throws(JSONSyntaxError) -> JSONValue where C.Element == UInt8 {
        let scanner = JSONScanner(Array(bytes), strict: strict)
        return JSONValue(scanner: scanner, span: try scanner.root())
    }

    /// The value at `span` of an already validated document.
    public init(scanner: JSONScanner, span: JSONSpan) {
        switch span.kind {
        case .null: self = .null
        case .bool: self = .bool(scanner.bool(span) ?? false)
        case .number: self = .number(String(decoding: scanner.raw(span), as: UTF8.self))
        case .string: self = .string(scanner.string(span) ?? "")
        case .array: self = .array(scanner.elements(of: span).map { JSONValue(scanner: scanner, span: $0) })
        case .object: self = .object(scanner.members(of: span).map { JSONField($0.key, JSONValue(scanner: scanner, span: $0.value)) })
        }
    }

    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }
    public static func double(_ value: Double) -> JSONValue { .number(JSONValue.format(value)) }

    /// Builds an object from key/value pairs, leaving out nil values.
    public static func record(_ pairs: KeyValuePairs<String, JSONValue?>) -> JSONValue {
        .object(pairs.compactMap { pair in pair.value.map { JSONField(pair.key, $0) } })
    }

    // MARK: - Reading

    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    public var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    public var boolValue: Bool? { if case .bool(let flag) = self { flag } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
    public var fields: [JSONField]? { if case .object(let fields) = self { fields } else { nil } }
    public var isNull: Bool { self == .null }
    public var isObject: Bool { fields != nil }

    public var doubleValue: Double? { if case .number(let text) = self { Double(text) } else { nil } }
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text) ?? Double(text).flatMap { $0 == $0.rounded() && abs($0) < 9e15 ? Int($0) : nil }
    }

    // MARK: - Writing

    /// The compact serialization.
    public var serialized: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    public var serializedString: String { String(decoding: serialized, as: UTF8.self) }

    /// Equality that ignores the order of object members (for comparing documents in tests).
    public func isEquivalent(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            return left.allSatisfy { field in right.first { $0.key == field.key }.map { $0.value.isEquivalent(to: field.value) } ?? false }
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.isEquivalent(to: $1) }
        case (.number(let left), .number(let right)):
            return Double(left) == Double(right)
        default:
            return self == other
        }
    }

    /// JSON number text for `value`; JSON has no infinity or NaN, so those become `null`.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

extension JSONWriter {
    /// Writes a parsed value.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let text): raw(text.utf8)
        case .string(let text): string(text)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let fields):
            beginObject()
            for field in fields {
                key(field.key)
                self.value(field.value)
            }
            endObject()
        }
    }
}
