import Foundation
import Hummingbird
import SwitchyardTesting

// A stand-alone fake upstream. `switchyard-fake-upstream [--port P] [--api-key K] [--tls]` replays
// the specs' fixtures for the end-to-end tests (`--tls`: over HTTPS with the test CA's certificate
// of Tests/Fixtures/tls); `--paced [--latency-ms L] [--deltas N] [--interval-ms I]`
// is the benchmark's timed mock (see PacedUpstream). Prints `listening on <port>` when ready.
var port = 0
var apiKey: String?
var tls = false
var paced: PacedUpstream?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
func milliseconds(_ text: String?) -> Duration { .milliseconds(text.flatMap(Int.init) ?? 0) }
while let argument = arguments.next() {
    switch argument {
    case "--port": port = arguments.next().flatMap(Int.init) ?? 0
    case "--api-key": apiKey = arguments.next()
    case "--tls": tls = true
    case "--paced": paced = try paced ?? PacedUpstream(latency: .zero, deltas: 20, interval: .milliseconds(50))
    case "--latency-ms": paced?.latency = milliseconds(arguments.next())
    case "--deltas": paced?.deltas = arguments.next().flatMap(Int.init) ?? 20
    case "--interval-ms": paced?.interval = milliseconds(arguments.next())
    default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
    }
}
let announce: @Sendable (Int) async -> Void = { boundPort in
    FileHandle.standardOutput.write(Data("listening on \(boundPort)\n".utf8))
}
if let paced {
    try await paced.application(port: port, onServerRunning: announce).runService()
} else {
    let fake = FakeUpstream(expectedAPIKey: apiKey)
    try await fake.application(port: port, tls: tls ? try fake.fixtures.testServerTLS() : nil, onServerRunning: announce).runService()
}
