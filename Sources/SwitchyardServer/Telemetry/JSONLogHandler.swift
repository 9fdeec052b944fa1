import Foundation
public import Logging
import Synchronization
import SwitchyardCore

/// A swift-log handler writing one JSON object per line to standard output —
/// `{"ts","level","label","message",…metadata}` — for log pipelines (`serve --log-format json`).
/// The request log line carries request id, model, provider, status, tokens, cost and latency;
/// keys and prompts are never in log metadata.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    /// Serialises writes so concurrent lines never interleave.
    static let output = Mutex<FileHandle>(FileHandle.standardOutput)

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("ts"); writer.string(Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)))
        writer.key("level"); writer.string(event.level.rawValue)
        writer.key("label"); writer.string(label)
        writer.key("message"); writer.string(event.message.description)
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() where !["ts", "level", "label", "message"].contains(key) {
            writer.key(key)
            JSONLogHandler.write(merged[key] ?? .string(""), into: &writer)
        }
        writer.endObject()
        var line = writer.bytes
        line.append(0x0A)
        JSONLogHandler.output.withLock { $0.write(Data(line)) }
    }

    static func write(_ value: Logger.Metadata.Value, into writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.string(text)
        case .stringConvertible(let convertible): writer.string(convertible.description)
        case .array(let items):
            writer.beginArray()
            for item in items { write(item, into: &writer) }
            writer.endArray()
        case .dictionary(let dictionary):
            writer.beginObject()
            for key in dictionary.keys.sorted() {
                writer.key(key)
                write(dictionary[key] ?? .string(""), into: &writer)
            }
            writer.endObject()
        }
    }
}
