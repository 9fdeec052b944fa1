import Foundation

/// Where Redis is and how to log in: `redis://[[user]:password@]host[:port][/db]`, or
/// `rediss://…` for TLS. The password never appears in `description`.
package struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var tls: Bool
    package var username: String?
    package var password: String?
    package var database: Int

    package init(host: String, port: Int = 6379, tls: Bool = false, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.tls = tls
        self.username = username
        self.password = password
        self.database = database
    }

    package init(url: String) throws(RedisError) {
        let rest: Substring
        if url.hasPrefix("redis://") {
            tls = false
            rest = url.dropFirst("redis://".count)
        } else if url.hasPrefix("rediss://") {
            tls = true
            rest = url.dropFirst("rediss://".count)
        } else {
            throw .invalidURL("the scheme must be redis:// or rediss://")
        }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        username = nil
        password = nil
        // The password may itself contain '@': the host part follows the last one.
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : RedisEndpoint.percentDecoded(user)
                password = RedisEndpoint.percentDecoded(credentials[credentials.index(after: colon)...])
            } else if !credentials.isEmpty {
                // redis://password@host, as several clients accept.
                password = RedisEndpoint.percentDecoded(credentials)
            }
        }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL("unterminated IPv6 address") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            authority = authority[authority.index(after: close)...]
        } else {
            let end = authority.firstIndex(of: ":") ?? authority.endIndex
            host = String(authority[..<end])
            authority = authority[end...]
        }
        guard !host.isEmpty else { throw .invalidURL("no host") }
        port = 6379
        if authority.hasPrefix(":") {
            guard let value = Int(authority.dropFirst()), (1...65535).contains(value) else { throw .invalidURL("bad port") }
            port = value
        } else if !authority.isEmpty {
            throw .invalidURL("unexpected characters after the host")
        }
        let databasePart = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if databasePart.isEmpty {
            database = 0
        } else {
            guard let value = Int(databasePart), (0...1_000_000).contains(value) else { throw .invalidURL("the path must be a database number") }
            database = value
        }
    }

    package var description: String {
        let credentials = password == nil ? "" : "\(username ?? ""):***@"
        return "\(tls ? "rediss" : "redis")://\(credentials)\(host):\(port)/\(database)"
    }

    private static func percentDecoded(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }
}
