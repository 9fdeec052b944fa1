import Testing
@testable import SwitchyardRedis

/// Feeds `bytes` to a parser `chunk` bytes at a time.
func parse(_ bytes: [UInt8], chunk: Int = 1) throws(RESPParser.Failure) -> [RESPValue] {
    var parser = RESPParser()
    var values: [RESPValue] = []
    var offset = 0
    while offset < bytes.count {
        values += try parser.feed(bytes[offset..<min(bytes.count, offset + chunk)])
        offset += chunk
    }
    #expect(!parser.hasPartialValue)
    return values
}

@Suite struct RESPParserTests {
    static let everyKind: [RESPValue] = [
        .simpleString("OK"), .error("NOSCRIPT No matching script. Please use EVAL."), .integer(-42), .integer(Int64.max),
        .bulkString(Array("héllo\r\nworld".utf8)), .bulkString([]), .bulkString(nil), .array([]), .array(nil),
        .array([.integer(1), .array([.bulk("nested"), .bulkString(nil)]), .simpleString("PONG")]),
    ]

    @Test(arguments: [1, 3, 7, 1000])
    func everyKindRoundTripsWhateverTheChunking(_ chunk: Int) throws {
        let wire = Self.everyKind.flatMap(\.encoded)
        #expect(try parse(wire, chunk: chunk) == Self.everyKind)
    }

    @Test func aCommandIsAnArrayOfBulkStrings() {
        #expect(RESPCommand("SET", "k", "v").encoded == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".utf8))
    }

    @Test func pipelinedRepliesComeOutInOrderAndAPartialOneWaits() throws {
        var parser = RESPParser()
        #expect(try parser.feed(Array("+OK\r\n:1\r\n$5\r\nhel".utf8)) == [.simpleString("OK"), .integer(1)])
        #expect(parser.hasPartialValue)
        #expect(try parser.feed(Array("lo\r\n".utf8)) == [.bulk("hello")])
        #expect(!parser.hasPartialValue)
    }

    @Test func scriptRepliesReadAsNumbersAndText() {
        #expect(RESPValue.bulk("17").int == 17)
        #expect(RESPValue.integer(3).int == 3)
        #expect(RESPValue.bulk("x").int == nil)
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(RESPValue.bulkString([0xFF]).string == nil)
    }

    /// Hostile or broken servers: a clear failure, never a trap or an unbounded allocation.
    @Test(arguments: [
        ("$9223372036854775808\r\n", RESPParser.Failure.badInteger),
        (":-9223372036854775809\r\n", .badInteger),
        ("$-2\r\n", .badLength),
        ("*-5\r\n", .badLength),
        ("$99999999999\r\n", .tooLarge),
        ("*99999999999\r\n", .tooLarge),
        (":12a\r\n", .badInteger),
        (":\r\n", .badInteger),
        ("$3\r\nabcXY", .missingCRLF),
        ("+OK\n", .missingCRLF),
        ("!oops\r\n", .unknownType(UInt8(ascii: "!"))),
        (String(repeating: "*1\r\n", count: 40) + ":1\r\n", .tooDeep),
    ])
    func malformedRepliesFail(_ wire: String, _ failure: RESPParser.Failure) {
        #expect(throws: failure) { try parse(Array(wire.utf8), chunk: 4) }
    }

    @Test func aStatusLineWithoutEndIsRefusedOnceTooLong() {
        var parser = RESPParser()
        #expect(throws: RESPParser.Failure.tooLarge) { try parser.feed(Array(("+" + String(repeating: "x", count: 70_000)).utf8)) }
    }

    @Test func manySmallRepliesDoNotGrowTheBufferWithoutBound() throws {
        var parser = RESPParser()
        var seen = 0
        for _ in 0..<10_000 { seen += try parser.feed(Array(":1\r\n".utf8)).count }
        #expect(seen == 10_000)
        #expect(!parser.hasPartialValue)
    }
}
