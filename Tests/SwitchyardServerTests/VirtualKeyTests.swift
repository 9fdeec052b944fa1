import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Creates a key through the admin API and returns (id, plaintext).
func createKey(_ client: some TestClientProtocol, _ body: String) async throws -> (id: String, key: String) {
    try await client.execute(uri: "/admin/keys", method: .post, headers: .authorized, body: ByteBuffer(string: body)) { response in
        #expect(response.status == .created)
        let object = try json(response.body)
        return (try #require(object["id"] as? String), try #require(object["key"] as? String))
    }
}

func bearer(_ key: String) -> HTTPFields {
    [.authorization: "Bearer \(key)", .contentType: "application/json"]
}

@Suite struct VirtualKeyTests {
    @Test func aCreatedKeyAuthenticatesAndIsLimitedToItsModels() async throws {
        try await GatewayHarness.run { client, _ in
            let created = try await createKey(client, #"{"name": "team-a", "models": ["mini", "resil*"], "credits": "10.00", "rpm": 60}"#)
            #expect(created.key.hasPrefix("sk-sy-") && created.key.count == 38)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("limited")) { response in
                #expect(response.status == .forbidden)
                let object = try errorObject(response.body)
                #expect(object["type"] as? String == "permission_error")
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: bearer(created.key)) { response in
                let ids = (try json(response.body)["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids == ["mini", "resilient"])
            }
        }
    }

    @Test func theAdminKeyListPagesAndSearches() async throws {
        try await GatewayHarness.run { client, _ in
            for name in ["alpha", "beta", "gamma"] { _ = try await createKey(client, #"{"name": "\#(name)"}"#) }
            let first = try await client.execute(uri: "/admin/keys?limit=2", method: .get, headers: .authorized) { response in
                #expect(response.status == .ok)
                return try json(response.body)
            }
            let names = ((first["data"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            #expect(names.count == 2 && first["has_more"] as? Bool == true)
            let after = try #require(first["next_after"] as? String)
            try await client.execute(uri: "/admin/keys?limit=2&after=\(after)", method: .get, headers: .authorized) { response in
                let page = try json(response.body)
                let rest = ((page["data"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
                #expect(Set(names + rest) == ["alpha", "beta", "gamma"] && rest.count == 1, "no key lost or repeated across pages")
                #expect(page["has_more"] as? Bool == false && page["next_after"] is NSNull)
            }
            try await client.execute(uri: "/admin/keys?search=GAM", method: .get, headers: .authorized) { response in
                let found = ((try json(response.body)["data"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
                #expect(found == ["gamma"])
            }
            for bad in ["limit=0", "limit=x", "after=nonsense"] {
                try await client.execute(uri: "/admin/keys?\(bad)", method: .get, headers: .authorized) { #expect($0.status == .badRequest, "\(bad)") }
            }
        }
    }

    @Test func revokedExpiredAndUnknownKeysAre401() async throws {
        try await GatewayHarness.run { client, _ in
            let revoked = try await createKey(client, #"{"name": "gone"}"#)
            try await client.execute(uri: "/admin/keys/\(revoked.id)", method: .delete, headers: .authorized) { response in
                #expect(response.status == .ok)
            }
            let expired = try await createKey(client, #"{"name": "old", "expires_at": 1000}"#)
            for key in [revoked.key, expired.key, "sk-sy-" + String(repeating: "x", count: 32)] {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(key), body: chatBody("mini")) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    @Test func adminKeysAPIListsShowsUpdatesAndTopsUpWithoutEverShowingThePlaintextAgain() async throws {
        try await GatewayHarness.run { client, _ in
            let created = try await createKey(client, #"{"name": "ops", "credits": "1.50"}"#)
            try await client.execute(uri: "/admin/keys/\(created.id)/credits", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"amount": "0.25"}"#)) { response in
                let object = try json(response.body)
                #expect(object["credits"] as? String == "1.75")
            }
            try await client.execute(uri: "/admin/keys/\(created.id)", method: .patch, headers: .authorized, body: ByteBuffer(string: #"{"models": ["preview"]}"#)) { response in
                let object = try json(response.body)
                #expect(object["models"] as? [String] == ["preview"])
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: bearer(created.key), body: chatBody("mini")) { response in
                #expect(response.status == .forbidden, "the update took effect on the next request")
            }
            try await client.execute(uri: "/admin/keys", method: .get, headers: .authorized) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(created.id))
                #expect(!text.contains(created.key))
            }
            try await client.execute(uri: "/admin/keys/key_nope", method: .get, headers: .authorized) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/admin/keys", method: .post, headers: .authorized, body: ByteBuffer(string: #"{"credits": "lots"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/admin/keys", method: .get, headers: bearer(created.key)) { response in
                #expect(response.status == .unauthorized, "virtual keys cannot use the admin API")
            }
        }
    }
}
