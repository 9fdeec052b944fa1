import NIOCore
import SwitchyardCore

/// Reads an upstream response body chunk by chunk, with room to hold back the first chunk
/// (read early to confirm the stream started) for the stream pump.
///
/// `@unchecked Sendable`: the reader is used by one task at a time — the attempt reads the first
/// chunk (in a child task the attempt awaits), then hands the reader to the response writer; it
/// is never read concurrently.
final class UpstreamBodyReader: @unchecked Sendable {
    private let iterator: any UpstreamBodyStream
    private var pending: ByteBuffer?
    /// Bytes this reader holds against the gateway's `BufferBudget`, given back when it goes.
    private var lease: BufferBudget.Lease?

    init(_ body: any UpstreamBodyStream) {
        self.iterator = body
    }

    /// The next chunk, or nil at the end of the body.
    func next() async throws -> ByteBuffer? {
        if let chunk = pending {
            pending = nil
            return chunk
        }
        return try await iterator.next()
    }

    /// The next chunk, failing with `SilenceTimeout` when the upstream sends nothing for `timeout`.
    func next(timeout: Duration) async throws -> ByteBuffer? {
        if let chunk = pending {
            pending = nil
            return chunk
        }
        return try await iterator.next(silenceLimit: timeout)
    }

    /// Abandons the rest of the upstream body (cancelling the upstream request).
    func cancel() {
        pending = nil
        iterator.cancel()
    }

    /// Reads the first chunk now and keeps it for `next()` (a stream is only committed to the
    /// client once its upstream has really started).
    func awaitFirstChunk(timeout: Duration) async throws {
        pending = try await next(timeout: timeout)
    }

    /// Reads the whole body now (at most `limit` bytes, each counted against `budget`, the
    /// bound on what all requests buffer together) and keeps it for `next()`.
    func readAll(limit: Int, budget: BufferBudget) async throws {
        var whole = pending ?? ByteBuffer()
        let lease = BufferBudget.Lease(budget: budget)
        self.lease = lease
        try lease.take(whole.readableBytes)
        while let chunk = try await iterator.next() {
            guard whole.readableBytes + chunk.readableBytes <= limit else { throw BodyTooLarge() }
            try lease.take(chunk.readableBytes)
            whole.writeImmutableBuffer(chunk)
        }
        pending = whole
    }

    /// Whether the buffered body is one valid JSON object (what OpenAI-format answers are).
    var pendingIsJSONObject: Bool {
        guard let pending else { return false }
        return (try? JSONScanner(Array(pending.readableBytesView)).root())?.kind == .object
    }

    /// The upstream body is larger than the gateway buffers.
    struct BodyTooLarge: Error {}

    /// The upstream sent nothing for longer than allowed.
    struct SilenceTimeout: Error {}
}
