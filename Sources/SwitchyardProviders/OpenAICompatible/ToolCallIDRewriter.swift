import SwitchyardCore

/// Rewrites tool-call ids for providers that accept only `[a-zA-Z0-9]{9}` (Mistral).
///
/// The mapping is a pure function of the original id, so an assistant's `tool_calls[].id` and
/// the matching tool message's `tool_call_id` stay paired across turns and requests.
public enum ToolCallIDRewriter {
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The 9-character id for `id` (unchanged when it already fits the rule).
    public static func nineCharacterID(for id: String) -> String {
        if id.utf8.count == 9, id.utf8.allSatisfy({ alphabet.contains($0) }) { return id }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        var out: [UInt8] = []
        for _ in 0..<9 {
            out.append(alphabet[Int(hash % 62)])
            hash /= 62
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `messages` array with every tool-call id rewritten, or nil when nothing needed it.
    static func rewriteMessages(scanner: JSONScanner, messages: JSONSpan) -> [UInt8]? {
        var changed = false
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, message) in scanner.elements(of: messages).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let original = Array(scanner.raw(message))
            if let rewritten = rewriteMessage(original) {
                out.append(contentsOf: rewritten)
                changed = true
            } else {
                out.append(contentsOf: original)
            }
        }
        out.append(UInt8(ascii: "]"))
        return changed ? out : nil
    }

    private static func rewriteMessage(_ bytes: [UInt8]) -> [UInt8]? {
        let scanner = JSONScanner(bytes)
        guard let root = try? scanner.root(), root.kind == .object else { return nil }
        var splice = JSONObjectSplice(scanner: scanner, object: root)
        var changed = false
        if let idSpan = scanner.member("tool_call_id", of: root)?.value, let id = scanner.string(idSpan) {
            let fixed = nineCharacterID(for: id)
            if fixed != id { splice.set("tool_call_id", string: fixed); changed = true }
        }
        if let calls = scanner.member("tool_calls", of: root)?.value, calls.kind == .array {
            var list: [UInt8] = [UInt8(ascii: "[")]
            var listChanged = false
            for (index, call) in scanner.elements(of: calls).enumerated() {
                if index > 0 { list.append(UInt8(ascii: ",")) }
                let callScanner = JSONScanner(Array(scanner.raw(call)))
                if let callRoot = try? callScanner.root(), let idSpan = callScanner.member("id", of: callRoot)?.value,
                    let id = callScanner.string(idSpan), nineCharacterID(for: id) != id
                {
                    var callSplice = JSONObjectSplice(scanner: callScanner, object: callRoot)
                    callSplice.set("id", string: nineCharacterID(for: id))
                    list.append(contentsOf: callSplice.result())
                    listChanged = true
                } else {
                    list.append(contentsOf: scanner.raw(call))
                }
            }
            list.append(UInt8(ascii: "]"))
            if listChanged { splice.set("tool_calls", rawValue: list); changed = true }
        }
        return changed ? splice.result() : nil
    }
}
