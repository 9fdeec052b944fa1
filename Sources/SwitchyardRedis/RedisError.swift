/// Why a Redis call failed. No case carries a password: descriptions are safe to log.
package enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `storage.redis` is not a redis:// or rediss:// URL.
    case invalidURL(String)
    /// The connection closed (or could not open) before the reply came.
    case connectionClosed(String)
    /// No reply within the call's timeout; the connection was closed (replies are ordered).
    case timeout
    /// Redis was unreachable moments ago and the client is backing off before it tries again.
    case unavailable(String)
    /// Redis replied with an error (`-ERR …`).
    case server(String)
    /// The reply was not what the command returns.
    case unexpectedReply(String)

    package var description: String {
        switch self {
        case .invalidURL(let why): "invalid Redis URL: \(why)"
        case .connectionClosed(let why): "Redis connection closed: \(why)"
        case .timeout: "Redis did not answer in time"
        case .unavailable(let why): "Redis unavailable: \(why)"
        case .server(let message): "Redis error: \(message)"
        case .unexpectedReply(let what): "unexpected Redis reply: \(what)"
        }
    }
}
