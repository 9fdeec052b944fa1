import Testing
@testable import SwitchyardCore

@Suite struct MultipartFormTests {
    let body = Array((
        "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\"; c.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF\r\n--X\r\n"
            + "--XyZ--\r\nepilogue").utf8)

    @Test func partsAreReadWithTheirNamesFilenamesAndBytes() throws {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; charset=utf-8; boundary=\"XyZ\"") == "XyZ")
        #expect(MultipartForm.boundary(contentType: "application/json") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
        let form = try MultipartForm(bytes: body, boundary: "XyZ")
        #expect(form.parts.map(\.name) == ["model", "file"])
        #expect(form.text("model") == "whisper")
        let file = try #require(form.part(named: "file"))
        #expect(file.filename == "a \"b\"; c.wav")
        #expect(file.contentType == "audio/wav")
        #expect(String(decoding: form.bytes[file.content], as: UTF8.self) == "RIFF\r\n--X", "a near-boundary inside the content is content")
    }

    @Test func replacingAFieldKeepsEveryOtherByte() throws {
        let form = try MultipartForm(bytes: body, boundary: "XyZ")
        let replaced = try MultipartForm(bytes: form.replacing("model", with: "whisper-1"), boundary: "XyZ")
        #expect(replaced.text("model") == "whisper-1")
        #expect(Array(replaced.bytes[try #require(replaced.part(named: "file")).content]) == Array("RIFF\r\n--X".utf8))
        let added = try MultipartForm(bytes: form.replacing("language", with: "en"), boundary: "XyZ")
        #expect(added.parts.map(\.name) == ["model", "file", "language"])
        #expect(added.text("language") == "en")
    }

    @Test(arguments: [
        ("no boundary at all", "the body has no part boundary"),
        ("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever closed", "part \"a\" is not closed by a boundary"),
        ("--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", "a part has no name"),
        ("--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--", "a part is not form-data"),
        ("--XyZ\r\nContent-Disposition: form-data; name=\"a\"", "a part's headers do not end"),
        ("--XyZjunk", "a boundary is not followed by a line break"),
    ])
    func malformedBodiesAreRefusedWithTheReason(_ text: String, _ reason: String) {
        #expect(throws: MultipartForm.Malformed(description: reason)) { try MultipartForm(bytes: Array(text.utf8), boundary: "XyZ") }
    }
}
