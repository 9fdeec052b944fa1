import Crypto
import SwitchyardCore

/// AWS Signature Version 4 for Bedrock Runtime, as botocore signs it (PROTOCOLS §4.2, §0.5):
/// signing name `bedrock`, path segments encoded a second time in the canonical URI, payload
/// hash only inside the canonical request, `content-type;host;x-amz-date[;x-amz-security-token]`.
public struct SigV4Signer: Sendable {
    public let accessKeyID: String
    let secretAccessKey: String
    let sessionToken: String?
    public let region: String
    public let service: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String?, region: String, service: String = "bedrock") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// The intermediate and final products of signing one request (exposed for the test vectors).
    public struct Signature: Sendable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signingKeyHex: String
        public let authorization: String
        /// Headers to add to the request: `X-Amz-Date`, `X-Amz-Security-Token`, `Authorization`.
        public let headers: [(name: String, value: String)]
    }

    /// Signs `method url` with `contentType` and `body` at `amzDate` (`YYYYMMDDTHHMMSSZ`).
    public func sign(method: String, url: String, contentType: String, body: [UInt8], amzDate: String) -> Signature {
        let (host, path, query) = SigV4Signer.split(url)
        var canonicalHeaders: [(String, String)] = [("content-type", contentType), ("host", host), ("x-amz-date", amzDate)]
        if let sessionToken { canonicalHeaders.append(("x-amz-security-token", sessionToken)) }
        let signedHeaders = canonicalHeaders.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method,
            SigV4Signer.canonicalURI(path),
            SigV4Signer.canonicalQuery(query),
            canonicalHeaders.map { "\($0.0):\($0.1.trimmingSpaces())\n" }.joined(),
            signedHeaders,
            SigV4Signer.hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SigV4Signer.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signingKey = [date, region, service, "aws4_request"].reduce(SymmetricKey(data: Array("AWS4\(secretAccessKey)".utf8))) { key, part in
            SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = SigV4Signer.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        var headers: [(name: String, value: String)] = [("X-Amz-Date", amzDate)]
        if let sessionToken { headers.append(("X-Amz-Security-Token", sessionToken)) }
        headers.append(("Authorization", authorization))
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signingKeyHex: signingKey.withUnsafeBytes { SigV4Signer.hex(Array($0)) }, authorization: authorization, headers: headers)
    }

    /// `YYYYMMDDTHHMMSSZ` for Unix seconds (UTC).
    public static func amzDate(unixSeconds: Int64) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = unixSeconds - days * 86_400
        let date = CivilDate(daysSince1970: days)
        let pad = CivilDate.pad
        return pad(date.year, 4) + pad(date.month, 2) + pad(date.day, 2) + "T" + pad(secondsOfDay / 3600, 2) + pad(secondsOfDay % 3600 / 60, 2)
            + pad(secondsOfDay % 60, 2) + "Z"
    }

    // MARK: - Canonical forms

    /// Host (with a non-default port), path and query of an absolute URL.
    static func split(_ url: String) -> (host: String, path: String, query: String) {
        var rest = Substring(url)
        for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var host = String(rest[..<slash])
        if url.hasPrefix("https://") && host.hasSuffix(":443") { host.removeLast(4) }
        if url.hasPrefix("http://") && host.hasSuffix(":80") { host.removeLast(3) }
        let pathAndQuery = rest[slash...]
        guard let question = pathAndQuery.firstIndex(of: "?") else { return (host, pathAndQuery.isEmpty ? "/" : String(pathAndQuery), "") }
        return (host, String(pathAndQuery[..<question]), String(pathAndQuery[pathAndQuery.index(after: question)...]))
    }

    /// Non-S3 SigV4 encodes each (already encoded) path segment again: `%3A` → `%253A`.
    static func canonicalURI(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { PercentEncoding.pathSegment(String($0)) }.joined(separator: "/")
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        return query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (PercentEncoding.pathSegment(String(parts[0])), parts.count > 1 ? PercentEncoding.pathSegment(String(parts[1])) : "")
        }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var out = ""
        for byte in digest {
            out.unicodeScalars.append(digits[Int(byte >> 4)])
            out.unicodeScalars.append(digits[Int(byte & 0xF)])
        }
        return out
    }
}
