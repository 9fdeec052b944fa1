import AsyncHTTPClient
public import NIOCore

/// The streaming body of an upstream response, read chunk by chunk by one task at a time.
public protocol UpstreamBodyStream: Sendable {
    /// The next chunk, or nil at the end of the body.
    func next() async throws -> ByteBuffer?
    /// The next chunk, failing with `UpstreamBodyReader.SilenceTimeout` when the upstream sends
    /// nothing for `silenceLimit`.
    func next(silenceLimit: Duration) async throws -> ByteBuffer?
    /// Abandons the rest of the body now (the client left, or the request was cut): the upstream
    /// request is cancelled instead of running on until its reader happens to be released.
    func cancel()
}

extension UpstreamBodyStream {
    /// Races the read against a timer (for bodies without a timer of their own).
    public func next(silenceLimit: Duration) async throws -> ByteBuffer? {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await self.next() }
            group.addTask {
                try await Task.sleep(for: silenceLimit)
                throw UpstreamBodyReader.SilenceTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

/// An AsyncHTTPClient response body (TLS upstreams).
///
/// `@unchecked Sendable`: the iterator is only advanced by one task at a time (see `UpstreamBodyReader`).
final class AsyncHTTPClientBody: UpstreamBodyStream, @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator?

    init(_ body: HTTPClientResponse.Body) {
        self.iterator = body.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        try await iterator?.next()
    }

    /// Dropping AsyncHTTPClient's iterator terminates its body stream, which cancels the request.
    func cancel() {
        iterator = nil
    }
}
