import Foundation
import Hummingbird
import NIOCore
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardRedis

/// The admin API for virtual keys (master key only, DESIGN §4):
/// `POST /admin/keys`, `GET /admin/keys`, `GET|PATCH|DELETE /admin/keys/{id}`,
/// `POST /admin/keys/{id}/credits`. The plaintext key appears once, in the create response.
struct AdminKeysRoute: Sendable {
    let cache: KeyCache
    var store: any AccountStore { cache.store }

    /// Fields of a create or update request; money as decimal strings.
    struct KeyFields: Decodable {
        var name: String?
        var owner: String?
        var models: [String]?
        var credits: String?
        var rpm: Int?
        var tpm: Int?
        var max_parallel: Int?
        var expires_at: Int64?
        var metadata: [String: String]?
        var budget: BudgetFields?
    }

    /// `{"amount": "5.00", "period": "monthly"}`.
    struct BudgetFields: Decodable {
        var amount: String
        var period: String
    }

    func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let (key, plaintext) = try await create(try await decode(request, context: context))
        return json(AdminKeysRoute.render(key, plaintext: plaintext), status: .created)
    }

    /// Every key, or with `limit`, `after` (the previous page's `next_after`) or `search` (the
    /// beginning of a name or key prefix, or an id) one page of them, newest first.
    func list(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limitText = parameters.get("limit"), after = parameters.get("after"), search = parameters.get("search")
        guard limitText != nil || after != nil || search != nil else {
            return json(["object": "list", "data": try await store.keys().map { AdminKeysRoute.render($0, plaintext: nil) }])
        }
        let limit = try limitText.map { text throws(GatewayError) -> Int in
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw .invalidRequest("'limit' must be between 1 and 10000.", param: "limit")
            }
            return value
        } ?? 100
        var cursor: PageCursor?
        if let after {
            guard let parsed = PageCursor(token: String(after)) else { throw GatewayError.invalidRequest("'after' is not a cursor this API returned.", param: "after") }
            cursor = parsed
        }
        let page = try await store.keys(KeyQuery(search: search.map { String($0) }, before: cursor, limit: limit + 1))
        let shown = page.prefix(limit)
        let next: Any = page.count > limit ? shown.last.map { PageCursor(createdAt: $0.createdAt, id: $0.id).token } ?? NSNull() : NSNull()
        return json([
            "object": "list", "data": shown.map { AdminKeysRoute.render($0, plaintext: nil) }, "has_more": page.count > limit, "next_after": next,
        ])
    }

    func show(id: String) async throws -> Response {
        guard let key = try await store.key(id: id) else { throw GatewayError.notFound("No key with id \(id).") }
        return json(AdminKeysRoute.render(key, plaintext: nil))
    }

    func update(id: String, _ request: Request, context: GatewayRequestContext) async throws -> Response {
        json(AdminKeysRoute.render(try await update(id: id, try await decode(request, context: context)), plaintext: nil))
    }

    func revoke(id: String) async throws -> Response {
        json(AdminKeysRoute.render(try await revokeKey(id: id), plaintext: nil))
    }

    func addCredits(id: String, _ request: Request, context: GatewayRequestContext) async throws -> Response {
        struct Amount: Decodable { var amount: String }
        let body = try await request.body.collect(upTo: 64 * 1024)
        guard let fields = try? JSONDecoder().decode(Amount.self, from: Data(body.readableBytesView)), let amount = Money(decimal: fields.amount) else {
            throw GatewayError.invalidRequest("Send {\"amount\": \"5.00\"} (a decimal string).", param: "amount")
        }
        return json(AdminKeysRoute.render(try await topUp(id: id, amount: amount), plaintext: nil))
    }

    // MARK: - Operations (the admin API's and the dashboard's)

    /// A new key with `fields`; returns it and its plaintext (shown once, never stored).
    func create(_ fields: KeyFields) async throws -> (VirtualKey, String) {
        guard let name = fields.name, !name.isEmpty else { throw GatewayError.invalidRequest("'name' is required.", param: "name") }
        let plaintext = KeyMaterial.generate()
        var key = VirtualKey(
            id: KeyMaterial.newID(), name: name, keyHash: KeyMaterial.hash(plaintext), keyPrefix: KeyMaterial.displayPrefix(plaintext),
            createdAt: Int64(Date().timeIntervalSince1970))
        try apply(fields, to: &key)
        try await store.insert(key)
        try await cache.changed(key)
        return (key, plaintext)
    }

    func update(id: String, _ fields: KeyFields) async throws -> VirtualKey {
        guard var key = try await store.key(id: id) else { throw GatewayError.notFound("No key with id \(id).") }
        let before = key
        try apply(fields, to: &key)
        try await store.update(key)
        try await cache.changed(key, key.credits != before.credits ? .balanceReset : .edited)
        return key
    }

    func revokeKey(id: String) async throws -> VirtualKey {
        guard try await store.revoke(id: id, at: Int64(Date().timeIntervalSince1970)), let key = try await store.key(id: id) else {
            throw GatewayError.notFound("No key with id \(id).")
        }
        try await cache.changed(key)
        return key
    }

    /// Adds `amount` (negative takes credits away) to the key's balance.
    func topUp(id: String, amount: Money) async throws -> VirtualKey {
        try AdminKeysRoute.checkBounds(amount, field: "amount", allowNegative: true)
        let balance: Money?
        do {
            balance = try await store.addCredits(id: id, amount: amount)
        } catch let error as AccountStoreError {
            throw GatewayError.invalidRequest(error.description, param: "amount")
        }
        guard balance != nil, let key = try await store.key(id: id) else {
            throw GatewayError.notFound("No key with id \(id).")
        }
        try await cache.changed(key, .creditsAdded(amount))
        return key
    }

    // MARK: - Helpers

    private func decode(_ request: Request, context: GatewayRequestContext) async throws -> KeyFields {
        let body = try await request.body.collect(upTo: 64 * 1024)
        do {
            return try JSONDecoder().decode(KeyFields.self, from: Data(body.readableBytesView))
        } catch {
            throw GatewayError.invalidRequest("The body must be a JSON object with the key's fields (name, models, credits, rpm, tpm, max_parallel, expires_at, metadata).")
        }
    }

    private func apply(_ fields: KeyFields, to key: inout VirtualKey) throws {
        if let name = fields.name { key.name = name }
        if let owner = fields.owner { key.owner = owner }
        if let models = fields.models { key.models = models }
        if let credits = fields.credits {
            guard let amount = Money(decimal: credits) else { throw GatewayError.invalidRequest("'credits' must be a decimal string such as \"10.00\".", param: "credits") }
            try AdminKeysRoute.checkBounds(amount, field: "credits", allowNegative: false)
            key.credits = amount
        }
        for (name, value) in [("rpm", fields.rpm), ("tpm", fields.tpm), ("max_parallel", fields.max_parallel)] {
            if let value, !(0...VirtualKey.maxLimit).contains(value) {
                throw GatewayError.invalidRequest("'\(name)' must be between 0 and \(VirtualKey.maxLimit).", param: name)
            }
        }
        if let rpm = fields.rpm { key.rpm = rpm }
        if let tpm = fields.tpm { key.tpm = tpm }
        if let maxParallel = fields.max_parallel { key.maxParallel = maxParallel }
        if let expiresAt = fields.expires_at { key.expiresAt = expiresAt }
        if let metadata = fields.metadata { key.metadata = metadata }
        if let budget = fields.budget {
            guard let amount = Money(decimal: budget.amount), let period = Budget.Period(rawValue: budget.period) else {
                throw GatewayError.invalidRequest("'budget' must be {\"amount\": \"5.00\", \"period\": \"daily|weekly|monthly\"}.", param: "budget")
            }
            try AdminKeysRoute.checkBounds(amount, field: "budget.amount", allowNegative: false)
            key.budget = Budget(amount: amount, period: period)
        }
    }

    /// Admin amounts stay within `Money.maxAdminAmount` (and non-negative where a negative
    /// value has no meaning): no sum the gateway or the store computes can leave `Int64`'s range.
    static func checkBounds(_ amount: Money, field: String, allowNegative: Bool) throws(GatewayError) {
        guard amount.isAdminAmount(allowNegative: allowNegative) else {
            let range = allowNegative ? "between -\(Money.maxAdminAmount) and \(Money.maxAdminAmount)" : "between 0 and \(Money.maxAdminAmount)"
            throw .invalidRequest("'\(field)' must be \(range) USD.", param: field)
        }
    }

    /// A key as the admin API shows it; `key` (the plaintext) only on create.
    static func render(_ key: VirtualKey, plaintext: String?) -> [String: Any] {
        var object: [String: Any] = [
            "id": key.id, "name": key.name, "key_prefix": key.keyPrefix, "created_at": key.createdAt, "models": key.models,
            "metadata": key.metadata, "active": key.isActive(at: Int64(Date().timeIntervalSince1970)),
        ]
        if let plaintext { object["key"] = plaintext }
        object["owner"] = key.owner ?? NSNull()
        object["expires_at"] = key.expiresAt ?? NSNull()
        object["revoked_at"] = key.revokedAt ?? NSNull()
        object["rpm"] = key.rpm ?? NSNull()
        object["tpm"] = key.tpm ?? NSNull()
        object["max_parallel"] = key.maxParallel ?? NSNull()
        object["credits"] = key.credits?.description ?? NSNull()
        object["budget"] = key.budget.map { ["amount": $0.amount.description, "period": $0.period.rawValue] as [String: Any] } ?? NSNull()
        return object
    }

    private func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
