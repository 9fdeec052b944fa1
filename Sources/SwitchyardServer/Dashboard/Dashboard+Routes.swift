import Foundation
import HTTPTypes
import SwitchyardRouting
import Hummingbird
import NIOCore
import SwitchyardCore

extension Dashboard {
    /// Registers `/ui` and everything under it.
    func register(on router: Router<GatewayRequestContext>) {
        let ui = router.group("ui").add(middleware: DashboardHeaders())
        ui.get { request, context in await page(request, context) { try await overview($0) } }
        ui.get("login") { request, _ in await loginPage(request) }
        ui.post("login") { request, context in await signIn(request, context: context) }
        ui.post("logout") { request, context in
            await action(request, context) { viewer, _ in
                try await sessions.signOut(token: viewer.token)
                return Self.redirect(to: "/ui/login", cookie: sessions.cookie(token: nil, secure: Self.overTLS(request)))
            }
        }
        ui.get("static/{name}") { request, context in staticFile(context.parameters.get("name") ?? "", request: request) }
        ui.get("keys") { request, context in await page(request, context, operatorOnly: true) { _ in try await keysPage(request) } }
        ui.get("keys/new") { request, context in await page(request, context, operatorOnly: true) { _ in newKeyPage() } }
        ui.post("keys") { request, context in
            await action(request, context, operatorOnly: true) { viewer, form in render(try await createKey(form), viewer: viewer) }
        }
        ui.get("keys/{id}") { request, context in
            await page(request, context, operatorOnly: true) { _ in
                try await keyPage(id: context.parameters.get("id") ?? "", notice: request.uri.queryParameters.get("done").map { String($0) })
            }
        }
        ui.post("keys/{id}") { request, context in
            await action(request, context, operatorOnly: true) { _, form in try await updateKey(id: context.parameters.get("id") ?? "", form) }
        }
        ui.post("keys/{id}/topup") { request, context in
            await action(request, context, operatorOnly: true) { _, form in try await topUpKey(id: context.parameters.get("id") ?? "", form) }
        }
        ui.post("keys/{id}/revoke") { request, context in
            await action(request, context, operatorOnly: true) { _, _ in try await revokeKey(id: context.parameters.get("id") ?? "") }
        }
        ui.get("usage") { request, context in await page(request, context) { try await usagePage(request, viewer: $0) } }
        ui.get("usage.csv") { request, context in
            guard let viewer = try await viewer(request) else { return Self.redirect(to: "/ui/login") }
            return try await usageCSV(request, viewer: viewer)
        }
        ui.get("models") { request, context in await page(request, context, operatorOnly: true) { _ in modelsPage() } }
        ui.get("models/rows") { request, context in
            guard let viewer = try await viewer(request), viewer.isOperator else { return Response(status: .unauthorized) }
            return Self.html(modelRows())
        }
        ui.get("routing") { request, context in await page(request, context, operatorOnly: true) { _ in try await routingPage() } }
        ui.get("logs") { request, context in await page(request, context) { try await logsPage(request, viewer: $0) } }
        ui.get("logs/{id}") { request, context in
            await page(request, context) { try await logPage(requestID: context.parameters.get("id") ?? "", viewer: $0) }
        }
        ui.get("playground") { request, context in await page(request, context) { playgroundPage($0) } }
        ui.post("playground/chat") { request, context in try await playgroundChat(request, context: context) }
        ui.get("playground/requests/{id}") { request, context in
            guard let viewer = try await viewer(request) else { throw GatewayError.authentication("Sign in again.") }
            return try await playgroundRequest(id: context.parameters.get("id") ?? "", viewer: viewer)
        }
    }

    // MARK: - Signing in and out

    func loginPage(_ request: Request, message: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        if message == nil, (try? await viewer(request)) != nil { return Self.redirect(to: "/ui") }
        return Self.html(assets.render("login", ["title": "Sign in", "message": message ?? ""]), status: status)
    }

    /// `POST /ui/login`: the key is checked, never stored; a session cookie follows. Failed
    /// attempts are limited per client address.
    func signIn(_ request: Request, context: GatewayRequestContext) async -> Response {
        guard Self.isSameOrigin(request) else { return await loginPage(request, message: "Cross-site sign-ins are refused.", status: .forbidden) }
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        let now = Self.now
        if let wait = sessions.throttle.retryAfter(address, now: now) {
            var response = await loginPage(request, message: "Too many failed sign-ins. Try again in \(wait) seconds.", status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        do {
            let form = try await DashboardForm.read(request)
            let server = gateway.configuration.server
            guard let presented = form["api_key"],
                let (token, _) = try await sessions.signIn(presented: presented, masterKey: server.masterKey, keys: keys, now: now)
            else {
                sessions.throttle.failed(address, now: now)
                return await loginPage(request, message: "That key is not valid.", status: .unauthorized)
            }
            sessions.throttle.succeeded(address)
            return Self.redirect(to: "/ui", cookie: sessions.cookie(token: token, secure: Self.overTLS(request)))
        } catch {
            return render(error: error, viewer: nil)
        }
    }

    /// A file from `static/`, cacheable and revalidated by its ETag.
    func staticFile(_ name: String, request: Request) -> Response {
        guard let file = assets.files[name] else { return Response(status: .notFound) }
        var headers: HTTPFields = [.contentType: file.contentType, .eTag: file.etag, .cacheControl: "public, max-age=300"]
        if request.headers[.ifNoneMatch] == file.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: file.bytes))
    }
}
