import Hummingbird
import HTTPTypes
import NIOCore
import SwitchyardCore
import SwitchyardRouting

/// Reads a request body up to `server.max_body_bytes`, refusing early on a large Content-Length.
enum RequestBodyReader {
    static func read(_ request: Request, limit: Int) async throws(GatewayError) -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw .payloadTooLarge(limit: limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw .payloadTooLarge(limit: limit)
        } catch {
            throw .invalidRequest("The request body could not be read.")
        }
    }
}
