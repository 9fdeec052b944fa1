import SwitchyardAccounts
import SwitchyardCore

extension LedgerEntry {
    /// The entry as one journal line: its `Codable` form (what replay decodes), written field by field
    /// into one buffer — the request path's share of the journal, without `JSONEncoder`'s boxes.
    /// A non-finite duration (no clock gives one) is written as 0, so the line is always JSON.
    var journalLine: [UInt8] {
        var json = JSONWriter(capacity: 384)
        json.beginObject()
        json.key("requestID"); json.string(requestID)
        if let keyID { json.key("keyID"); json.string(keyID) }
        json.key("model"); json.string(model)
        json.key("provider"); json.string(provider)
        json.key("upstreamModel"); json.string(upstreamModel)
        if let route { json.key("route"); json.string(route) }
        json.key("promptTokens"); json.int(promptTokens)
        json.key("completionTokens"); json.int(completionTokens)
        json.key("cachedTokens"); json.int(cachedTokens)
        json.key("reasoningTokens"); json.int(reasoningTokens)
        json.key("estimated"); json.bool(estimated)
        json.key("cost"); json.int(Int(cost.nanos))
        json.key("status"); json.int(status)
        json.key("latencyMs"); json.double(latencyMs.isFinite ? latencyMs : 0)
        if let timeToFirstTokenMs { json.key("timeToFirstTokenMs"); json.double(timeToFirstTokenMs.isFinite ? timeToFirstTokenMs : 0) }
        json.key("attempts"); json.int(attempts)
        json.key("stream"); json.bool(stream)
        json.key("createdAt"); json.int(Int(createdAt))
        json.key("unpriced"); json.bool(unpriced)
        json.key("cacheHit"); json.bool(cacheHit)
        json.key("saved"); json.int(Int(saved.nanos))
        json.endObject()
        var line = json.bytes
        line.append(0x0A)
        return line
    }
}
