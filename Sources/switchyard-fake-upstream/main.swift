import Foundation
import Hummingbird
import SwitchyardTesting

// A stand-alone fake OpenAI-compatible upstream for the end-to-end tests:
// `switchyard-fake-upstream [--port P] [--api-key K]`; prints `listening on <port>` when ready.
var port = 0
var apiKey: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = arguments.next().flatMap(Int.init) ?? 0
    case "--api-key": apiKey = arguments.next()
    default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
    }
}
let fake = FakeUpstream(expectedAPIKey: apiKey)
let app = fake.application(port: port) { boundPort in
    FileHandle.standardOutput.write(Data("listening on \(boundPort)\n".utf8))
}
try await app.runService()
