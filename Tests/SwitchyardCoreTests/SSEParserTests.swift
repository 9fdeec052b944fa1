import Testing
@testable import SwitchyardCore

@Suite struct SSEParserTests {
    @Test func parsesEventsSplitAcrossArbitraryChunks() throws {
        let stream = Array("event: message_start\ndata: {\"a\":1}\n\n: comment\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n".utf8)
        for chunkSize in [1, 2, 3, 7, stream.count] {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            var index = 0
            while index < stream.count {
                events += try parser.feed(stream[index..<min(index + chunkSize, stream.count)])
                index += chunkSize
            }
            #expect(events.count == 3, "chunk size \(chunkSize)")
            #expect(events[0].event == "message_start")
            #expect(events[0].text == #"{"a":1}"#)
            #expect(events[1].text == "line1\nline2")
            #expect(events[2].isDone)
        }
    }

    @Test func acceptsCRLFAndCRLineEndings() throws {
        var parser = SSEParser()
        let events = try parser.feed(Array("data: a\r\n\r\ndata: b\r\rdata: c\n\n".utf8))
        #expect(events.map(\.text) == ["a", "b", "c"])
    }

    @Test func aCRLFSplitBetweenReadsEndsOneLine() throws {
        let stream = Array("event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n".utf8)
        for chunkSize in 1...stream.count {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            var index = 0
            while index < stream.count {
                events += try parser.feed(Array(stream[index..<min(index + chunkSize, stream.count)]))
                index += chunkSize
            }
            #expect(events.map(\.text) == ["1", "2"], "chunk size \(chunkSize)")
            #expect(events.first?.event == "a")
        }
    }

    @Test func finishReturnsAnUnterminatedEvent() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: tail".utf8)).isEmpty)
        #expect(parser.hasPartialEvent)
        #expect(parser.finish()?.text == "tail")
    }

    @Test func rejectsOversizedEvents() {
        var parser = SSEParser(maxEventBytes: 16)
        #expect(throws: SSEParser.EventTooLarge.self) { try parser.feed(Array("data: 0123456789abcdefghij".utf8)) }
    }

    @Test func encoderSplitsMultilineData() {
        #expect(String(decoding: SSEEncoder.event(name: "x", data: Array("a\nb".utf8)), as: UTF8.self) == "event: x\ndata: a\ndata: b\n\n")
    }
}
