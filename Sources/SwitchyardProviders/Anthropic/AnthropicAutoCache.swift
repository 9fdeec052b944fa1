import SwitchyardCore

/// `anthropic_auto_cache` (pure): Anthropic caches a prompt prefix only up to a `cache_control`
/// breakpoint the request sets. When the client set none, one goes on the last tool and one on
/// the system prompt — the parts requests of an application share — so repeated prefixes are read
/// from the cache at a tenth of the input price. A request that sets any breakpoint is left as is.
public enum AnthropicAutoCache {
    static let breakpoint = JSONValue.record(["type": .string("ephemeral")])

    /// The Messages body (Anthropic's, or the Bedrock or Vertex envelope of it) with breakpoints added.
    public static func apply(_ body: [UInt8]) -> [UInt8] {
        guard let json = try? JSONValue.parse(body), case .object(var fields) = json, !contains(cacheControl: json) else { return body }
        var changed = false
        if let index = fields.firstIndex(where: { $0.key == "tools" }), case .array(var tools) = fields[index].value, let last = tools.indices.last,
            case .object(var tool) = tools[last]
        {
            tool.append(.init("cache_control", breakpoint))
            tools[last] = .object(tool)
            fields[index].value = .array(tools)
            changed = true
        }
        if let index = fields.firstIndex(where: { $0.key == "system" }) {
            switch fields[index].value {
            case .string(let text) where !text.isEmpty:
                fields[index].value = .array([.record(["type": .string("text"), "text": .string(text), "cache_control": breakpoint])])
                changed = true
            case .array(var blocks) where !blocks.isEmpty:
                if case .object(var block) = blocks[blocks.count - 1] {
                    block.append(.init("cache_control", breakpoint))
                    blocks[blocks.count - 1] = .object(block)
                    fields[index].value = .array(blocks)
                    changed = true
                }
            default: break
            }
        }
        return changed ? JSONValue.object(fields).serialized : body
    }

    static func contains(cacheControl value: JSONValue) -> Bool {
        switch value {
        case .object(let fields): fields.contains { $0.key == "cache_control" || contains(cacheControl: $0.value) }
        case .array(let items): items.contains { contains(cacheControl: $0) }
        default: false
        }
    }
}
