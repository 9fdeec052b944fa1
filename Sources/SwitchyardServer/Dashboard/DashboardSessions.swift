import Foundation
import SwitchyardRouting
import HTTPTypes
import Synchronization
import SwitchyardAccounts
import SwitchyardCore

/// Dashboard sign-ins: the master key (an operator) or an active virtual key (its holder) is
/// exchanged for a random session token in an HttpOnly cookie; the key itself never reaches the
/// browser's storage. Sessions live in the account store (hashed), so every replica of a fleet
/// knows them and signing out ends them everywhere.
struct DashboardSessions: Sendable {
    let store: any AccountStore
    let lifetimeSeconds: Int64
    let throttle = SignInThrottle()

    static let cookieName = "sy_session"

    /// What signing in with `presented` gives: an operator or a key holder's session, or nil.
    func signIn(presented: String, masterKey: Secret?, keys: KeyCache, now: Int64) async throws -> (token: String, session: DashboardSession)? {
        let keyID: String?
        if let masterKey, ConstantTime.equal(presented, masterKey.value) {
            keyID = nil
        } else if let key = keys.key(hash: KeyMaterial.hash(presented)), key.isActive(at: now) {
            keyID = key.id
        } else {
            return nil
        }
        let token = Self.randomToken()
        let session = DashboardSession(
            tokenHash: KeyMaterial.hash(token), keyID: keyID, csrfToken: Self.randomToken(), createdAt: now, expiresAt: now + lifetimeSeconds)
        try await store.saveSession(session)
        return (token, session)
    }

    /// The session a request's cookie names, if it is current.
    func session(for headers: HTTPFields, now: Int64) async throws -> (token: String, session: DashboardSession)? {
        guard let token = Self.cookie(Self.cookieName, in: headers), token.utf8.count == 43 else { return nil }
        return try await store.session(tokenHash: KeyMaterial.hash(token), now: now).map { (token, $0) }
    }

    func signOut(token: String) async throws {
        try await store.deleteSession(tokenHash: KeyMaterial.hash(token))
    }

    /// `Set-Cookie` for a new session (or, with `token` nil, one that clears it). `Secure` when
    /// the request came over TLS (the gateway runs behind a TLS-terminating proxy that says so).
    func cookie(token: String?, secure: Bool) -> String {
        var parts = ["\(Self.cookieName)=\(token ?? "")", "Path=/ui", "HttpOnly", "SameSite=Strict", "Max-Age=\(token == nil ? 0 : lifetimeSeconds)"]
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func randomToken() -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A cookie's value from the `Cookie` header(s).
    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                if trimmed.hasPrefix(name + "=") { return String(trimmed.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }
}

/// Failed sign-ins per client address: after `limit` failures within `window` seconds, further
/// attempts from that address are refused until the window has passed. Bounded: past
/// `maxAddresses` tracked addresses the oldest entries are dropped.
final class SignInThrottle: Sendable {
    private struct Entry {
        var failures: Int
        var windowStart: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])
    let limit: Int
    let window: Int64
    let maxAddresses: Int

    init(limit: Int = 5, window: Int64 = 60, maxAddresses: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.maxAddresses = maxAddresses
    }

    /// Seconds until `address` may try again; nil when it may try now.
    func retryAfter(_ address: String, now: Int64) -> Int64? {
        entries.withLock { entries in
            guard let entry = entries[address], now - entry.windowStart < window, entry.failures >= limit else { return nil }
            return max(1, window - (now - entry.windowStart))
        }
    }

    func failed(_ address: String, now: Int64) {
        entries.withLock { entries in
            if var entry = entries[address], now - entry.windowStart < window {
                entry.failures += 1
                entries[address] = entry
                return
            }
            if entries.count >= maxAddresses {
                let expired = entries.filter { now - $0.value.windowStart >= window }.map(\.key)
                for address in expired { entries[address] = nil }
                if entries.count >= maxAddresses, let oldest = entries.min(by: { $0.value.windowStart < $1.value.windowStart })?.key {
                    entries[oldest] = nil
                }
            }
            entries[address] = Entry(failures: 1, windowStart: now)
        }
    }

    func succeeded(_ address: String) {
        _ = entries.withLock { $0.removeValue(forKey: address) }
    }
}
