import AsyncHTTPClient
import NIOCore

/// Reads an upstream response body chunk by chunk, with room to hold back the first chunk
/// (read early to confirm the stream started) for the stream pump.
///
/// `@unchecked Sendable`: the reader is used by one task at a time — the attempt reads the first
/// chunk (in a child task the attempt awaits), then hands the reader to the response writer; it
/// is never read concurrently.
final class UpstreamBodyReader: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var pending: ByteBuffer?

    init(_ body: HTTPClientResponse.Body) {
        self.iterator = body.makeAsyncIterator()
    }

    /// The next chunk, or nil at the end of the body.
    func next() async throws -> ByteBuffer? {
        if let chunk = pending {
            pending = nil
            return chunk
        }
        return try await iterator.next()
    }

    /// Reads the first chunk now and keeps it for `next()`; throws `FirstByteTimeout` when the
    /// upstream sends nothing within `timeout`.
    func awaitFirstChunk(timeout: Duration) async throws {
        let first: ByteBuffer? = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await self.iterator.next() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw FirstByteTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        pending = first
    }

    /// The upstream sent no body byte within the first-byte timeout.
    struct FirstByteTimeout: Error {}
}
