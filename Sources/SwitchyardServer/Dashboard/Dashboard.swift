import Foundation
import SwitchyardRouting
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore

/// The web dashboard at `/ui`: server-rendered pages (Mustache templates from the resource
/// bundle), one CSS and one JS file, charts as inline SVG. Operators sign in with the master
/// key and see everything; a key holder signs in with their key and sees only that key.
/// Every page is a bounded read (pages, cursors, rollups); every form carries a CSRF token.
struct Dashboard: Sendable {
    let gateway: Gateway
    let keys: KeyCache
    let assets: DashboardAssets
    let sessions: DashboardSessions
    /// Key changes go through the same operations as the admin API.
    let keyOperations: AdminKeysRoute
    let pipeline: Pipeline
    /// What routed traffic is priced against for savings.
    let routingSavings: RoutingSavings
    var store: any AccountStore { keys.store }

    init(gateway: Gateway, keys: KeyCache, assets: DashboardAssets) {
        self.gateway = gateway
        self.keys = keys
        self.assets = assets
        self.sessions = DashboardSessions(store: keys.store, lifetimeSeconds: Int64(gateway.configuration.server.uiSessionHours * 3600))
        self.keyOperations = AdminKeysRoute(cache: keys)
        self.pipeline = Pipeline(gateway: gateway)
        self.routingSavings = RoutingSavings(configuration: gateway.configuration)
    }

    /// Who is looking: an operator, or the holder of one key.
    struct Viewer: Sendable {
        let token: String
        let session: DashboardSession
        /// The signed-in key; nil for an operator.
        let key: VirtualKey?
        var isOperator: Bool { key == nil }

        var principal: Principal { key.map(Principal.key) ?? .master }
    }

    /// The pages of the navigation; a key holder sees the first, third, sixth and seventh.
    enum Section: String, CaseIterable, Sendable {
        case overview, keys, usage, models, routing, logs, playground

        var path: String { self == .overview ? "/ui" : "/ui/\(rawValue)" }
        var label: String { self == .overview ? "Overview" : rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
        var forKeyHolders: Bool { [.overview, .usage, .logs, .playground].contains(self) }
    }

    /// A rendered page: its template, title, section and data.
    struct Page {
        var template: String
        var title: String
        var section: Section
        var data: [String: Any]
        var status: HTTPResponse.Status = .ok
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    // MARK: - Handling

    /// A page for a signed-in viewer; without a session, a redirect to the sign-in page.
    func page(
        _ request: Request, _ context: GatewayRequestContext, operatorOnly: Bool = false, _ body: (Viewer) async throws -> Page
    ) async -> Response {
        do {
            guard let viewer = try await viewer(request) else { return Self.redirect(to: "/ui/login") }
            guard viewer.isOperator || !operatorOnly else {
                return render(error: "This page is for operators.", status: .forbidden, viewer: viewer)
            }
            return render(try await body(viewer), viewer: viewer)
        } catch {
            return render(error: error, viewer: nil)
        }
    }

    /// A form post for a signed-in viewer: same-origin and carrying the session's CSRF token.
    func action(
        _ request: Request, _ context: GatewayRequestContext, operatorOnly: Bool = false, _ body: (Viewer, DashboardForm) async throws -> Response
    ) async -> Response {
        do {
            guard Self.isSameOrigin(request) else { return render(error: "Cross-site form posts are refused.", status: .forbidden, viewer: nil) }
            guard let viewer = try await viewer(request) else { return Self.redirect(to: "/ui/login") }
            guard viewer.isOperator || !operatorOnly else {
                return render(error: "This action is for operators.", status: .forbidden, viewer: viewer)
            }
            let form = try await DashboardForm.read(request)
            guard let token = form["csrf"], ConstantTime.equal(token, viewer.session.csrfToken) else {
                return render(error: "The form has expired; reload the page and try again.", status: .forbidden, viewer: viewer)
            }
            return try await body(viewer, form)
        } catch {
            return render(error: error, viewer: nil)
        }
    }

    /// The signed-in viewer, if the cookie names a current session (and, for a key holder, the
    /// key is still active).
    func viewer(_ request: Request) async throws -> Viewer? {
        let now = Self.now
        guard let (token, session) = try await sessions.session(for: request.headers, now: now) else { return nil }
        guard let keyID = session.keyID else { return Viewer(token: token, session: session, key: nil) }
        guard let key = try await store.key(id: keyID), key.isActive(at: now) else { return nil }
        return Viewer(token: token, session: session, key: key)
    }

    // MARK: - Rendering

    func render(_ page: Page, viewer: Viewer) -> Response {
        var data = page.data
        data["title"] = page.title
        data["csrf"] = viewer.session.csrfToken
        data["operator"] = viewer.isOperator
        data["viewerName"] = viewer.key?.name ?? "Operator"
        data["nav"] = Section.allCases.filter { viewer.isOperator || $0.forKeyHolders }.map { section -> [String: Any] in
            ["href": section.path, "label": section.label, "current": section == page.section]
        }
        return Self.html(assets.render(page.template, data), status: page.status)
    }

    func render(error: String, status: HTTPResponse.Status, viewer: Viewer?) -> Response {
        var data: [String: Any] = ["title": "Error", "message": error, "status": status.code, "signedIn": viewer != nil]
        if let viewer { data["csrf"] = viewer.session.csrfToken }
        return Self.html(assets.render("error", data), status: status)
    }

    func render(error: any Error, viewer: Viewer?) -> Response {
        switch error {
        case let error as GatewayError: render(error: error.message, status: HTTPResponse.Status(code: error.status), viewer: viewer)
        case is AccountStoreUnavailable: render(error: "The account store is unavailable; try again shortly.", status: .serviceUnavailable, viewer: viewer)
        default: render(error: "Something went wrong.", status: .internalServerError, viewer: viewer)
        }
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other: after a form post, the browser loads `location` with GET.
    static func redirect(to location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// A form post came from a page of this origin: `Sec-Fetch-Site` (set by browsers) is not
    /// cross-site, and an `Origin` header, when present, names the host the request went to.
    static func isSameOrigin(_ request: Request) -> Bool {
        let headers = request.headers
        if let site = headers[HTTPField.Name("Sec-Fetch-Site")!], site == "cross-site" || site == "same-site" { return false }
        guard let origin = headers[HTTPField.Name("Origin")!] else { return true }
        guard let host = request.head.authority, let components = URLComponents(string: origin), let originHost = components.host else { return false }
        let originAuthority = components.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() == host.lowercased()
    }

    /// Whether the request reached the gateway over TLS (directly, or through a proxy that says so).
    static func overTLS(_ request: Request) -> Bool {
        request.head.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}

/// Headers every `/ui` response carries: a strict Content-Security-Policy (nothing inline, nothing
/// from elsewhere), no framing, no sniffing, no caching of pages.
struct DashboardHeaders: RouterMiddleware {
    typealias Context = GatewayRequestContext

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("Content-Security-Policy")!] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// An `application/x-www-form-urlencoded` body (at most 64 KiB).
struct DashboardForm: Sendable {
    let values: [String: String]

    /// A field's value, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    static let limit = 64 * 1024

    static func read(_ request: Request) async throws -> DashboardForm {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw GatewayError.payloadTooLarge(limit: limit)
        }
        return parse(String(buffer: body))
    }

    static func parse(_ text: String) -> DashboardForm {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            values[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return DashboardForm(values: values)
    }

    private static func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
