/// Writes server-sent events in the canonical `event: X\ndata: …\n\n` framing.
public enum SSEEncoder {
    /// One event; multi-line data is split into several `data:` lines. Inlinable, so callers in other
    /// modules get it specialised (unspecialised, every byte went through witness tables: ~250
    /// allocations per event in the stream relays' micro-benchmark).
    @inlinable
    public static func event<C: Collection>(name: String? = nil, data: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16 + (name?.utf8.count ?? 0))
        if let name {
            out.append(contentsOf: "event: ".utf8)
            out.append(contentsOf: name.utf8)
            out.append(0x0A)
        }
        out.append(contentsOf: "data: ".utf8)
        if !data.contains(0x0A) {
            out.append(contentsOf: data)
            out.append(contentsOf: [0x0A, 0x0A])
            return out
        }
        for byte in data {
            if byte == 0x0A {
                out.append(contentsOf: "\ndata: ".utf8)
            } else {
                out.append(byte)
            }
        }
        out.append(contentsOf: [0x0A, 0x0A])
        return out
    }

    /// OpenAI's terminal `data: [DONE]` event.
    public static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)
}
