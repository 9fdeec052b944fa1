import Foundation
import SwitchyardRouting
import Hummingbird
import SwitchyardAccounts
import SwitchyardCore

extension Dashboard {
    static let pageSize = 50

    /// `/ui/keys`: a page of keys, newest first, with search.
    func keysPage(_ request: Request) async throws -> Page {
        let search = request.uri.queryParameters.get("q").map { String($0.prefix(200)) }
        let cursor = request.uri.queryParameters.get("after").flatMap(PageCursor.init(token:))
        let keys = try await store.keys(KeyQuery(search: search, before: cursor, limit: Self.pageSize + 1))
        let now = Self.now
        let rows = keys.prefix(Self.pageSize).map { key -> [String: Any] in
            [
                "id": key.id, "name": key.name, "prefix": key.keyPrefix, "created": DashboardFormat.time(key.createdAt),
                "status": key.revokedAt != nil ? "revoked" : key.isActive(at: now) ? "active" : "expired",
                "credits": key.credits.map(DashboardFormat.money) ?? "unlimited",
                "budget": key.budget.map { "\(DashboardFormat.money($0.amount)) \($0.period.rawValue)" } ?? "–",
                "models": key.models.isEmpty ? "all" : key.models.joined(separator: ", "),
            ]
        }
        var data: [String: Any] = ["keys": rows, "q": search ?? "", "empty": rows.isEmpty]
        if keys.count > Self.pageSize, let last = keys.prefix(Self.pageSize).last {
            data["next"] = "/ui/keys?" + Self.query(["q": search, "after": PageCursor(createdAt: last.createdAt, id: last.id).token])
        }
        return Page(template: "keys", title: "Keys", section: .keys, data: data)
    }

    func newKeyPage() -> Page {
        Page(template: "key-new", title: "Create key", section: .keys, data: [
            "creating": true,
            "periods": ["daily", "weekly", "monthly"].map { ["value": $0, "selected": $0 == "monthly"] }
        ])
    }

    /// `POST /ui/keys`: the new key's plaintext is shown on this one response, never again.
    func createKey(_ form: DashboardForm) async throws -> Page {
        let (key, plaintext) = try await keyOperations.create(try Self.keyFields(form))
        var data = try await keyFacts(key)
        data["plaintext"] = plaintext
        return Page(template: "key-created", title: "Key created", section: .keys, data: data, status: .created)
    }

    /// `/ui/keys/{id}`: the key, its edit, top-up and revoke forms, its recent usage.
    func keyPage(id: String, notice: String?) async throws -> Page {
        guard let key = try await store.key(id: id) else { throw GatewayError.notFound("No key with id \(id.excerpt).") }
        var data = try await keyFacts(key)
        let now = Self.now
        data["windows"] = [try await summary(label: "Last 7 days", from: now - 7 * 86_400, to: now + 1, keyID: key.id, routed: false)]
        data["recent"] = logRows(try await store.ledger(LedgerQuery(keyID: key.id, limit: 10)), names: [key.id: key.name])
        data["notice"] = notice.flatMap { Self.notices[$0] } ?? ""
        return Page(template: "key", title: key.name, section: .keys, data: data)
    }

    static let notices = ["saved": "Changes saved.", "topped-up": "Credits added.", "revoked": "Key revoked."]

    func updateKey(id: String, _ form: DashboardForm) async throws -> Response {
        _ = try await keyOperations.update(id: id, try Self.keyFields(form, editing: true))
        return Self.redirect(to: "/ui/keys/\(id)?done=saved")
    }

    func topUpKey(id: String, _ form: DashboardForm) async throws -> Response {
        guard let text = form["amount"], let amount = Money(decimal: text) else {
            throw GatewayError.invalidRequest("The amount must be a decimal number of USD such as 5.00.", param: "amount")
        }
        _ = try await keyOperations.topUp(id: id, amount: amount)
        return Self.redirect(to: "/ui/keys/\(id)?done=topped-up")
    }

    func revokeKey(id: String) async throws -> Response {
        _ = try await keyOperations.revokeKey(id: id)
        return Self.redirect(to: "/ui/keys/\(id)?done=revoked")
    }

    /// A key form's fields as the admin API takes them. An empty limit or budget leaves it as it
    /// is; editing, the models field is the whole list (empty: every model).
    static func keyFields(_ form: DashboardForm, editing: Bool = false) throws -> AdminKeysRoute.KeyFields {
        var fields = AdminKeysRoute.KeyFields()
        fields.name = form["name"]
        if editing, fields.name == nil { throw GatewayError.invalidRequest("'name' is required.", param: "name") }
        fields.owner = form["owner"]
        let models = (form["models"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if editing || !models.isEmpty { fields.models = models }
        if !editing { fields.credits = form["credits"] }
        fields.rpm = try limit(form, "rpm")
        fields.tpm = try limit(form, "tpm")
        fields.max_parallel = try limit(form, "max_parallel")
        if let amount = form["budget_amount"] {
            fields.budget = AdminKeysRoute.BudgetFields(amount: amount, period: form["budget_period"] ?? "monthly")
        }
        return fields
    }

    private static func limit(_ form: DashboardForm, _ name: String) throws -> Int? {
        guard let text = form[name] else { return nil }
        guard let value = Int(text) else { throw GatewayError.invalidRequest("'\(name)' must be a whole number.", param: name) }
        return value
    }

    /// A query string from the non-empty values.
    static func query(_ values: [String: String?]) -> String {
        values.sorted { $0.key < $1.key }.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#?"))
            return "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
