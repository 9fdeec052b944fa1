import SwitchyardCore
import SwitchyardTesting
@testable import SwitchyardProviders

/// What a translated stream said, summed up for assertions.
struct StreamSummary {
    var text = ""
    var reasoning = ""
    var toolCalls: [(id: String, name: String, arguments: String)] = []
    var finish: FinishReason?
    var usage: Usage?
    var error: GatewayError?
    var complete = false
    var startID: String?
}

/// Feeds `bytes` to `translator` in chunks of `chunkSize` (framing must not depend on how the
/// network splits the body) and sums up the events.
func translate(_ translator: any StreamTranslator, _ bytes: [UInt8], chunkSize: Int = 7) -> StreamSummary {
    var translator = translator
    var events: [ChatStreamEvent] = []
    var offset = 0
    while offset < bytes.count {
        events += translator.feed(Array(bytes[offset..<min(bytes.count, offset + chunkSize)]))
        offset += chunkSize
    }
    events += translator.finish()
    var summary = StreamSummary()
    for event in events {
        switch event {
        case .start(let id, _, _): summary.startID = id
        case .text(let text): summary.text += text
        case .reasoning(let text): summary.reasoning += text
        case .reasoningSignature: break
        case .toolCallStart(let index, let id, let name):
            #expect(index == summary.toolCalls.count)
            summary.toolCalls.append((id, name, ""))
        case .toolCallArguments(let index, let fragment): summary.toolCalls[index].arguments += fragment
        case .finish(let reason, _): summary.finish = reason
        case .usage(let usage): summary.usage = usage
        case .error(let error): summary.error = summary.error ?? error  // the first error ends the stream
        }
    }
    summary.complete = translator.isComplete
    return summary
}

extension Fixtures {
    func json(_ provider: String, _ name: String) throws -> JSONValue { try JSONValue.parse(try data(provider, name)) }
}

import Testing
