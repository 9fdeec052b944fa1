/// The parts of an upstream URL the HTTP/1 client needs: `http://host[:port]/path?query`.
struct UpstreamURL: Hashable, Sendable {
    var host: String
    var port: Int
    /// The request target: path and query (`/` when the URL has none).
    var target: String

    /// Parses a plain-HTTP URL; nil for any other scheme or a malformed authority.
    init?(plainHTTP url: String) {
        let utf8 = url.utf8
        let scheme = "http://".utf8
        guard utf8.count > scheme.count, utf8.starts(with: scheme) else { return nil }
        let rest = url.utf8.dropFirst(scheme.count)
        let slash = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) ?? rest.endIndex
        let authority = Substring(rest[rest.startIndex..<slash])
        target = slash == rest.endIndex ? "/" : String(Substring(rest[slash...]))
        if target.hasPrefix("?") { target = "/" + target }
        if authority.hasPrefix("[") {
            // [v6]:port
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = 80
            } else {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty, !host.contains("@"), (1...65535).contains(port) else { return nil }
    }

    /// The `Host` header value.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}
