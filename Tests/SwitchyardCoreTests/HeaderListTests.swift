import Testing
import SwitchyardCore

@Suite struct HeaderListTests {
    @Test func lookupIgnoresASCIICaseOnly() {
        let headers = HeaderList([("X-RateLimit-Remaining-Requests", "59"), ("retry-after", "2"), ("x-a@", "1")])
        #expect(headers["x-ratelimit-remaining-requests"] == "59")
        #expect(headers["RETRY-AFTER"] == "2")
        #expect(headers["x-a`"] == nil, "@ and ` differ only in bit 0x20 but are not letters")
        #expect(headers["retry-afte"] == nil)
        #expect(HeaderList.namesMatch("Content-Type", "content-type"))
        #expect(!HeaderList.namesMatch("content-type", "content_type"))
    }
}
