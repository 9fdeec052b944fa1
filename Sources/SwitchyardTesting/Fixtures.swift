public import Foundation
public import NIOSSL

/// The provider wire fixtures in `Tests/Fixtures/providers` (checked against the official SDKs).
public struct Fixtures: Sendable {
    public let directory: URL

    /// `SWITCHYARD_FIXTURES` when set, else `Tests/Fixtures/providers` of this checkout.
    public static func locate() -> Fixtures {
        if let path = ProcessInfo.processInfo.environment["SWITCHYARD_FIXTURES"], !path.isEmpty {
            return Fixtures(directory: URL(fileURLWithPath: path))
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return Fixtures(directory: checkout.appendingPathComponent("Tests/Fixtures/providers"))
    }

    /// `Tests/Fixtures/tls`: a test CA (`ca.pem`), a server certificate it signed for
    /// 127.0.0.1 and localhost (`server.pem`, `server-key.pem`), and an unrelated CA (`other-ca.pem`).
    public var tlsDirectory: URL { directory.deletingLastPathComponent().appendingPathComponent("tls") }

    /// The server side of the fake's HTTPS: the test CA's certificate for 127.0.0.1.
    public func testServerTLS() throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tlsDirectory.appendingPathComponent("server.pem").path).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: tlsDirectory.appendingPathComponent("server-key.pem").path, format: .pem)))
    }

    public init(directory: URL) {
        self.directory = directory
    }

    /// The bytes of `provider/name`.
    public func data(_ provider: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(provider).appendingPathComponent(name)))
    }

    /// One entry of `provider/errors.json`: status, body bytes and headers.
    public func error(_ provider: String, _ key: String) throws -> FixtureError {
        let object = try JSONSerialization.jsonObject(with: Data(data(provider, "errors.json")))
        guard let entry = (object as? [String: Any])?[key] as? [String: Any], let status = entry["status"] as? Int,
            let body = entry["body"]
        else { throw FixtureMissing(name: "\(provider)/errors.json#\(key)") }
        let bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        let headers = (entry["headers"] as? [String: String]) ?? [:]
        return FixtureError(status: status, body: bytes, headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The events of an SSE fixture, each with its trailing blank line (CRLF files keep CRLF).
    public func sseEvents(_ provider: String, _ name: String) throws -> [[UInt8]] {
        let text = String(decoding: try data(provider, name), as: UTF8.self)
        let separator = text.contains("\r\n\r\n") ? "\r\n\r\n" : "\n\n"
        return text.components(separatedBy: separator).filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            .map { Array(($0 + separator).utf8) }
    }
}

/// An error response taken from a fixture file.
public struct FixtureError: Sendable {
    public let status: Int
    public let body: [UInt8]
    public let headers: [(String, String)]
}

/// A fixture that is not where it should be.
public struct FixtureMissing: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "fixture not found: \(name)" }
}
