import SwitchyardCore

/// The JSON scanner, lenient and strict, and the tree built from what it accepts: a document the
/// strict reader accepts is accepted leniently, and every member and element it reports is
/// inside the document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONScanner(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let strict = (try? JSONScanner(bytes, strict: true).root()) != nil
    let scanner = JSONScanner(bytes)
    guard let root = try? scanner.root() else {
        precondition(!strict, "strict accepted what lenient rejected")
        return 0
    }
    walk(scanner, root, depth: 0)
    var writer = JSONWriter()
    writer.value(JSONValue(scanner: scanner, span: root))
    precondition((try? JSONScanner(writer.bytes).root()) != nil, "a re-written document must parse")
    return 0
}

func walk(_ scanner: JSONScanner, _ span: JSONSpan, depth: Int) {
    precondition(span.range.lowerBound >= 0 && span.range.upperBound <= scanner.bytes.count)
    guard depth < 64 else { return }
    switch span.kind {
    case .object:
        for member in scanner.members(of: span) {
            _ = scanner.member(member.key, of: span)
            walk(scanner, member.value, depth: depth + 1)
        }
    case .array:
        for element in scanner.elements(of: span) { walk(scanner, element, depth: depth + 1) }
    case .string: _ = scanner.string(span)
    case .number: _ = scanner.int(span); _ = scanner.double(span)
    case .bool, .null: break
    }
}
