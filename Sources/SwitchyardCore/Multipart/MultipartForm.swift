/// A `multipart/form-data` body (RFC 7578) split into its parts, without copying them: each
/// part's headers are parsed, its content is a range of the original bytes. Strict — a body
/// that is not well formed is an error naming what is wrong, never a guess. The size bound is
/// the caller's (the request body is read up to `server.max_body_bytes` first).
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        /// The form field's name (`Content-Disposition: form-data; name="…"`).
        public var name: String
        public var filename: String?
        public var contentType: String?
        /// The part's content within `MultipartForm.bytes`.
        public var content: Range<Int>
    }

    public let bytes: [UInt8]
    public let boundary: String
    public let parts: [Part]

    /// Why a body could not be read as a form.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// At most this many parts (a form is a handful of fields and one or two files).
    public static let maxParts = 256

    /// The boundary parameter of a `multipart/form-data` content type, if it is one.
    public static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { String($0).trimmingSpaces() }
        guard let type = pieces.first, type.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { String($0) }
            guard pair.count == 2, pair[0].trimmingSpaces().lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard (1...70).contains(value.utf8.count) else { return nil }
            return value
        }
        return nil
    }

    public init(bytes: [UInt8], boundary: String) throws(Malformed) {
        self.bytes = bytes
        self.boundary = boundary
        let delimiter = Array(("--" + boundary).utf8)
        guard var position = MultipartForm.find(delimiter, in: bytes, from: 0) else {
            throw Malformed(description: "the body has no part boundary")
        }
        var parts: [Part] = []
        while true {
            position += delimiter.count
            // `--` after a delimiter closes the form.
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "-"), bytes[position + 1] == UInt8(ascii: "-") { break }
            guard position + 1 < bytes.count, bytes[position] == 13, bytes[position + 1] == 10 else {
                throw Malformed(description: "a boundary is not followed by a line break")
            }
            position += 2
            guard let headerEnd = MultipartForm.find([13, 10, 13, 10], in: bytes, from: position) else {
                throw Malformed(description: "a part's headers do not end")
            }
            let part = try MultipartForm.part(headers: bytes[position..<headerEnd], content: headerEnd + 4)
            guard let next = MultipartForm.find([13, 10] + delimiter, in: bytes, from: part.content.lowerBound) else {
                throw Malformed(description: "part \"\(part.name)\" is not closed by a boundary")
            }
            parts.append(Part(name: part.name, filename: part.filename, contentType: part.contentType, content: part.content.lowerBound..<next))
            guard parts.count <= MultipartForm.maxParts else { throw Malformed(description: "more than \(MultipartForm.maxParts) parts") }
            position = next + 2
        }
        self.parts = parts
    }

    private static func part(headers: ArraySlice<UInt8>, content: Int) throws(Malformed) -> Part {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in String(decoding: headers, as: UTF8.self).split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { throw Malformed(description: "a part header is not `Name: value`") }
            let value = String(pair[1]).trimmingSpaces()
            switch String(pair[0]).trimmingSpaces().lowercased() {
            case "content-disposition":
                let parameters = MultipartForm.parameters(value)
                guard parameters.type == "form-data" else { throw Malformed(description: "a part is not form-data") }
                name = parameters.values["name"]
                filename = parameters.values["filename"]
            case "content-type": contentType = value
            default: continue
            }
        }
        guard let name, !name.isEmpty else { throw Malformed(description: "a part has no name") }
        return Part(name: name, filename: filename, contentType: contentType, content: content..<content)
    }

    /// `form-data; name="file"; filename="a b.wav"` → ("form-data", [name: file, filename: a b.wav]).
    static func parameters(_ value: String) -> (type: String, values: [String: String]) {
        var values: [String: String] = [:]
        var type = ""
        var index = value.startIndex
        func skipSpaces() { while index < value.endIndex, value[index] == " " || value[index] == "\t" { index = value.index(after: index) } }
        func token(until stops: Set<Character>) -> String {
            let start = index
            while index < value.endIndex, !stops.contains(value[index]) { index = value.index(after: index) }
            return String(value[start..<index]).trimmingSpaces()
        }
        type = token(until: [";"]).lowercased()
        while index < value.endIndex {
            index = value.index(after: index)  // past ";"
            skipSpaces()
            let key = token(until: ["=", ";"]).lowercased()
            guard index < value.endIndex, value[index] == "=" else { continue }
            index = value.index(after: index)
            var text = ""
            if index < value.endIndex, value[index] == "\"" {
                index = value.index(after: index)
                while index < value.endIndex, value[index] != "\"" {
                    if value[index] == "\\", value.index(after: index) < value.endIndex { index = value.index(after: index) }
                    text.append(value[index])
                    index = value.index(after: index)
                }
                if index < value.endIndex { index = value.index(after: index) }
                _ = token(until: [";"])
            } else {
                text = token(until: [";"])
            }
            values[key] = text
        }
        return (type, values)
    }

    /// The first part named `name`.
    public func part(named name: String) -> Part? { parts.first { $0.name == name } }

    /// A text field's value (nil when absent or not UTF-8).
    public func text(_ name: String) -> String? {
        part(named: name).flatMap { String(validating: bytes[$0.content], as: UTF8.self) }
    }

    /// The form with field `name` set to `value` (replaced where it is, added at the end when
    /// it is not); every other byte, files included, unchanged.
    public func replacing(_ name: String, with value: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + value.utf8.count + 128)
        if let part = part(named: name) {
            out.append(contentsOf: bytes[..<part.content.lowerBound])
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: bytes[part.content.upperBound...])
            return out
        }
        guard let last = parts.last else { return bytes }
        out.append(contentsOf: bytes[..<last.content.upperBound])
        out.append(contentsOf: Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)".utf8))
        out.append(contentsOf: bytes[last.content.upperBound...])
        return out
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                var offset = 1
                while offset < needle.count {
                    if haystack[index + offset] != needle[offset] { matched = false; break }
                    offset += 1
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
