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

/// Strict reading of client requests (#12): what the gateway validates is what an upstream parses.
@Suite struct StrictJSONTests {
    @Test(arguments: [
        #"{"a":1,"a":2}"#, #"{"model":"x","mod\u0065l":"y"}"#, #"{"o":{"k":1,"k":true}}"#, #"[{"x":1,"y":2,"x":3}]"#,
        #"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"r":18,"a":19}"#,
    ])
    func duplicateKeysAreErrors(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONScanner(Array(text.utf8), strict: true).root() }
        #expect(throws: Never.self) { try JSONScanner(Array(text.utf8)).root() }
    }

    @Test(arguments: [#""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800x""#, #""\udfff\ud800""#])
    func loneSurrogatesAreErrors(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONScanner(Array(text.utf8), strict: true).root() }
    }

    @Test func pairsAndDistinctKeysPass() throws {
        let text = #"{"e":"\ud83d\ude00","a":1,"A":2,"a\u0062":3,"ab ":4}"#
        #expect(try JSONScanner(Array(text.utf8), strict: true).root().kind == .object)
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x28, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        [0x22, 0xE2, 0x82, 0x22], [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22],
    ] as [[UInt8]])
    func invalidUTF8IsAnError(_ bytes: [UInt8]) {
        #expect(UTF8Validation.firstInvalidOffset(bytes) == 1)
        #expect(throws: JSONSyntaxError.self) { try JSONScanner(bytes, strict: true).root() }
    }

    @Test func validUTF8PassesAtEveryLength() {
        let text = "héllo wörld — 日本語 😀 " + String(repeating: "plain ascii ", count: 10) + "€"
        #expect(UTF8Validation.firstInvalidOffset(Array(text.utf8)) == nil)
        for cut in 0...Array(text.utf8).count {
            let prefix = Array(Array(text.utf8)[..<cut])
            let valid = String(validating: prefix, as: UTF8.self) != nil
            #expect((UTF8Validation.firstInvalidOffset(prefix) == nil) == valid, "prefix of \(cut) bytes")
        }
    }

    /// The word-at-a-time scans find a non-ASCII byte, or a byte that ends a string, at every offset
    /// of a long ASCII run: inside a word, at its edges and in the bytewise tail.
    @Test func aBytePastTheASCIIRunIsFoundAtEveryOffset() throws {
        let run = Array(String(repeating: "The quick brown fox jumps ~ over 0123456789. ", count: 3).utf8)
        for offset in 0..<run.count {
            var bytes = run
            bytes[offset] = 0xFF
            #expect(UTF8Validation.firstInvalidOffset(bytes) == offset)
            bytes[offset] = 0xC3
            bytes.insert(0xA9, at: offset + 1)  // é: valid, so the scan goes on past it
            #expect(UTF8Validation.firstInvalidOffset(bytes) == nil)
            for stop: UInt8 in [0x22, 0x5C, 0x00, 0x0A, 0x1F] {
                var text = run
                text[offset] = stop
                #expect(JSONScanner.skipPlainStringBytes(text, from: 0) == offset, "byte \(stop) at \(offset)")
            }
            for plain: UInt8 in [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF] {
                var text = run
                text[offset] = plain
                #expect(JSONScanner.skipPlainStringBytes(text, from: 0) == run.count, "byte \(plain) at \(offset)")
            }
        }
        #expect(JSONScanner.skipPlainStringBytes(run, from: 7) == run.count)
        let quoted = Array("\"".utf8) + run + Array("\"".utf8)
        #expect(try JSONScanner(quoted, strict: true).root().kind == .string)
    }

    /// `members`, `member` and `elements` skip values without validating them again: every span they
    /// report is the one the validating scan finds — strings with escaped quotes and backslash runs,
    /// brackets inside strings, nesting, numbers and literals.
    @Test func skippedValuesEndWhereTheValidatingScanEnds() throws {
        let document = #"""
            {"a":"plain","b":"say \"hi\"","c":"ends in a backslash \\","d":"\\\"\\","e":"[{not}]","f":[1,-2.5e3,true,false,null,
            {"g":["x\"]",{"h":"}"}]}],"i":{},"j":[],"k":"\u00e9\n","l":0}
            """#
        let scanner = JSONScanner(Array(document.utf8), strict: true)
        let root = try scanner.root()
        func check(_ span: JSONSpan) throws {
            var at = span.range.lowerBound
            #expect(try scanner.scanValue(at: &at, depth: 1) == span)
            for member in scanner.members(of: span) {
                try check(member.value)
                #expect(scanner.member(member.key, of: span)?.value == member.value)
            }
            for element in scanner.elements(of: span) { try check(element) }
        }
        try check(root)
        #expect(scanner.members(of: root).map(\.key) == ["a", "b", "c", "d", "e", "f", "i", "j", "k", "l"])
        #expect(scanner.string(try #require(scanner.member("d", of: root)).value) == #"\"\"#)
        #expect(scanner.elements(of: try #require(scanner.member("f", of: root)).value).count == 6)
    }

    @Test func nonFiniteNumbersAreNeverWritten() {
        #expect(JSONValue.format(.infinity) == "null")
        #expect(JSONValue.format(-.infinity) == "null")
        #expect(JSONValue.format(.nan) == "null")
    }
}

@Suite struct HostileUsageTests {
    @Test func costsOfAbsurdUsageClampInsteadOfTrapping() {
        let price = Price(input: 3, output: 15)
        #expect(price.costNanos(of: Usage(promptTokens: .max, completionTokens: .max)) > 0)
        #expect(price.costNanos(of: Usage(promptTokens: -5_000, completionTokens: -1)) == 0)
        #expect(price.costNanos(of: Usage(promptTokens: 10, completionTokens: 10, cachedPromptTokens: 1_000)) == Price(input: 3, output: 15).costNanos(of: Usage(promptTokens: 10, completionTokens: 10, cachedPromptTokens: 10)))
        #expect(Price(input: .infinity, output: .nan).costNanos(of: Usage(promptTokens: 5, completionTokens: 5)) >= 0)
        #expect(Price(input: 1e300, output: -4).costNanos(of: Usage(promptTokens: 1 << 60, completionTokens: 1)) == Int64.max)
        #expect(price.reservationNanos(promptTokens: 10, maxTokens: .max, choices: .max) > 0)
    }

    @Test func usageIsSanitizedAndTotalsSaturate() {
        let usage = Usage(promptTokens: -3, completionTokens: .max, cachedPromptTokens: 9, reasoningTokens: -1).sanitized
        #expect(usage.promptTokens == 0 && usage.cachedPromptTokens == 0 && usage.reasoningTokens == 0)
        #expect(usage.completionTokens == Usage.maxTokens)
        #expect(Usage(promptTokens: .max, completionTokens: .max).totalTokens == .max)
    }

    @Test func requestLimitsRejectNonFiniteAndOutOfRange() {
        #expect(throws: GatewayError.self) { try RequestLimits.check(Double.infinity, 0...2, field: "temperature") }
        #expect(throws: GatewayError.self) { try RequestLimits.check(Double.nan, 0...2, field: "temperature") }
        #expect(throws: GatewayError.self) { try RequestLimits.check(0, 1...RequestLimits.maxOutputTokens, field: "max_tokens") }
        #expect(throws: Never.self) { try RequestLimits.check(1.5, 0...2, field: "temperature") }
    }
}
