import Hummingbird
import NIOCore
import SwitchyardCore
import Synchronization

/// A provider's prompt cache, per deployment: a model named `prefix-cache-<name>` remembers the
/// prefixes (tools and every message but the last) it has answered, and reports a prefix it has
/// seen before as cached input tokens — as OpenAI does (`prompt_tokens_details.cached_tokens`),
/// for prefixes of 1,024 tokens or more. Token counts are the gateway's estimate (bytes / 4).
extension FakeUpstream {
    func promptCachedChat(model: String, scanner: JSONScanner, root: JSONSpan) throws -> Response {
        var prefix: [UInt8] = scanner.member("tools", of: root).map { Array(scanner.raw($0.value)) } ?? []
        var all = prefix
        if let messages = scanner.member("messages", of: root)?.value {
            let turns = scanner.elements(of: messages)
            for turn in turns.dropLast() { prefix += scanner.raw(turn) }
            for turn in turns { all += scanner.raw(turn) }
        }
        let prefixTokens = TokenEstimator.estimate(byteCount: prefix.count)
        let key = String(decoding: prefix, as: UTF8.self)
        let seen = promptCaches.withLock { caches in
            defer { if prefixTokens >= 1024 { caches[model, default: []].insert(key) } }
            return caches[model]?.contains(key) ?? false
        }
        let prompt = TokenEstimator.estimate(byteCount: all.count)
        let cached = seen && prefixTokens >= 1024 ? prefixTokens : 0
        let answer = JSONValue.record([
            "id": .string("chatcmpl-prefix"), "object": .string("chat.completion"), "created": .int(1_767_225_600), "model": .string(model),
            "choices": .array([.record([
                "index": .int(0), "message": .record(["role": .string("assistant"), "content": .string("Answered.")]), "finish_reason": .string("stop"),
            ])]),
            "usage": .record([
                "prompt_tokens": .int(prompt), "completion_tokens": .int(2), "total_tokens": .int(prompt + 2),
                "prompt_tokens_details": .record(["cached_tokens": .int(cached)]),
            ]),
        ])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer.serialized)))
    }
}
