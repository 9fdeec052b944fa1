import SwitchyardAccounts
import SwitchyardCore

/// Who is calling: the master key, a virtual key, or nobody (with `require_keys: false`).
enum Principal: Sendable {
    case master
    case key(VirtualKey)
    case anonymous

    /// 403 when a virtual key may not use `model`.
    func authorize(model: String) throws(GatewayError) {
        if case .key(let key) = self, !key.allows(model: model) {
            throw .permissionDenied("This key may not use model `\(model.excerpt)`.")
        }
    }

    /// Whom failures a request may have caused are charged to in the breakers: the key (the
    /// master key and anonymous callers are the operator's own traffic).
    var tenant: String? {
        if case .key(let key) = self { return key.id }
        return nil
    }

    /// Whose stored data (Responses API answers) the caller reads and writes: its key's id;
    /// the master key and anonymous callers (`require_keys: false`) have a scope each.
    var owner: String {
        switch self {
        case .key(let key): key.id
        case .master: "master"
        case .anonymous: "anonymous"
        }
    }

    func allows(model: String) -> Bool {
        if case .key(let key) = self { return key.allows(model: model) }
        return true
    }
}
