/// Rewrites a JSON object by replacing, removing or adding top-level members while copying
/// every other byte unchanged.
public struct JSONObjectSplice: Sendable {
    private let scanner: JSONScanner
    private let object: JSONSpan
    private var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
    private var additions: [UInt8] = []
    private var removedAll = false

    public init(scanner: JSONScanner, object: JSONSpan) {
        self.scanner = scanner
        self.object = object
    }

    /// Sets member `key` to the serialized JSON `value`, replacing the first existing member of that name.
    public mutating func set(_ key: String, rawValue value: [UInt8]) {
        if let member = scanner.member(key, of: object) {
            replacements.append((member.value.range, value))
        } else {
            if !additions.isEmpty { additions.append(UInt8(ascii: ",")) }
            JSONWriter.appendQuoted(key, to: &additions)
            additions.append(UInt8(ascii: ":"))
            additions.append(contentsOf: value)
        }
    }

    /// Removes the first member named `key` (and the comma that separated it), if there is one.
    public mutating func remove(_ key: String) {
        let members = scanner.members(of: object)
        guard let index = members.firstIndex(where: { $0.key == key }) else { return }
        let member = members[index]
        if index + 1 < members.count {
            replacements.append((member.memberRange.lowerBound..<members[index + 1].memberRange.lowerBound, []))
        } else if index > 0 {
            replacements.append((members[index - 1].value.range.upperBound..<member.memberRange.upperBound, []))
        } else {
            replacements.append((member.memberRange, []))
            removedAll = true
        }
    }

    /// Sets member `key` to a JSON string.
    public mutating func set(_ key: String, string: String) {
        var quoted: [UInt8] = []
        JSONWriter.appendQuoted(string, to: &quoted)
        set(key, rawValue: quoted)
    }

    /// The edited document.
    public func result() -> [UInt8] {
        let bytes = scanner.bytes
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + additions.count + 64)
        var cursor = 0
        for replacement in replacements.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            out.append(contentsOf: bytes[cursor..<replacement.range.lowerBound])
            out.append(contentsOf: replacement.bytes)
            cursor = replacement.range.upperBound
        }
        if additions.isEmpty {
            out.append(contentsOf: bytes[cursor...])
            return out
        }
        let closing = object.range.upperBound - 1
        out.append(contentsOf: bytes[cursor..<closing])
        if !removedAll && !scanner.members(of: object).isEmpty { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: additions)
        out.append(contentsOf: bytes[closing...])
        return out
    }
}
