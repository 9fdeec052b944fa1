import Testing
@testable import SwitchyardCore

@Suite struct JSONScannerTests {
    @Test(arguments: [
        #"{"a":[1,2.5e3,-0.1,true,false,null,"x\"y\u00e9"],"b":{}}"#, "[]", #""s""#, "0", " {\n} ",
    ])
    func acceptsValidJSON(_ text: String) throws {
        _ = try JSONScanner(Array(text.utf8)).root()
    }

    @Test(arguments: [
        "", "{", #"{"a":}"#, #"{"a" 1}"#, "[1,]", "01", "1.", "tru", #""\x""#, "{} {}", #"{"a":1,}"#, "\"a\u{01}\"", "-",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONScanner(Array(text.utf8)).root() }
    }

    @Test func rejectsHostileNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONScanner(Array(deep.utf8)).root() }
    }

    @Test func findsMembersAndDecodesEscapes() throws {
        let scanner = JSONScanner(Array(#"{"model":"m\u00e9\n","n":2,"list":[{"k":1},[]],"emoji":"\ud83d\ude00"}"#.utf8))
        let root = try scanner.root()
        #expect(scanner.members(of: root).map(\.key) == ["model", "n", "list", "emoji"])
        #expect(scanner.string(try #require(scanner.member("model", of: root)).value) == "mé\n")
        #expect(scanner.int(try #require(scanner.member("n", of: root)).value) == 2)
        #expect(scanner.elements(of: try #require(scanner.member("list", of: root)).value).map(\.kind) == [.object, .array])
        #expect(scanner.string(try #require(scanner.member("emoji", of: root)).value) == "😀")
    }

    @Test func memberLookupMatchesEscapedKeysAndTakesTheFirst() throws {
        let scanner = JSONScanner(Array(#"{"a\u0062":1,"ab":2,"usage":{"x":[1,{"y":"}"}]},"u":3}"#.utf8))
        let root = try scanner.root()
        #expect(scanner.int(try #require(scanner.member("ab", of: root)).value) == 1)
        #expect(scanner.int(try #require(scanner.member("u", of: root)).value) == 3)
        #expect(scanner.member("usage", of: root)?.value.kind == .object)
        #expect(scanner.member("a", of: root) == nil)
        #expect(scanner.member("x", of: root) == nil, "nested keys are not members")
    }

    @Test func spliceReplacesAndAddsMembersKeepingOtherBytes() throws {
        let original = #"{ "model" : "alias", "temperature": 0.70, "extra": {"keep": [1, 2]} }"#
        let scanner = JSONScanner(Array(original.utf8))
        var splice = JSONObjectSplice(scanner: scanner, object: try scanner.root())
        splice.set("model", string: "gpt-4o-mini")
        splice.set("stream_options", rawValue: Array(#"{"include_usage":true}"#.utf8))
        let result = String(decoding: splice.result(), as: UTF8.self)
        #expect(result == #"{ "model" : "gpt-4o-mini", "temperature": 0.70, "extra": {"keep": [1, 2]} ,"stream_options":{"include_usage":true}}"#)
        _ = try JSONScanner(Array(result.utf8)).root()
    }

    @Test func spliceAddsToAnEmptyObject() throws {
        let scanner = JSONScanner(Array("{}".utf8))
        var splice = JSONObjectSplice(scanner: scanner, object: try scanner.root())
        splice.set("a", string: "b")
        #expect(String(decoding: splice.result(), as: UTF8.self) == #"{"a":"b"}"#)
    }

    @Test func writerEscapesAndSeparates() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("s"); writer.string("q\"\\\n\u{01}")
        writer.key("a"); writer.beginArray(); writer.int(1); writer.null(); writer.bool(true); writer.endArray()
        writer.key("o"); writer.beginObject(); writer.endObject()
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"s":"q\"\\\n\u0001","a":[1,null,true],"o":{}}"#)
    }
}
