import ArgumentParser
import Foundation
import NIOPosix
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardRedis
import SwitchyardServer

/// `switchyard keys …`: manage virtual keys in the store directly (server running or not; running
/// replicas pick changes up at once through Redis when `storage.redis` is set, else within seconds).
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, show, revoke and top up virtual keys.",
        subcommands: [Create.self, List.self, Show.self, Revoke.self, TopUp.self])

    /// Options every `keys` subcommand shares: which config (and so which store).
    struct StoreOptions: ParsableArguments {
        @Option(name: .shortAndLong, help: "Path to switchyard.yaml (its storage.url names the store).")
        var config: String = "switchyard.yaml"

        func storage() throws -> StorageSettings {
            guard FileManager.default.fileExists(atPath: config) else { return StorageSettings() }
            let (loaded, issues) = try ConfigurationLoader().loadLeniently(path: config)
            if let issue = issues.first(where: { $0.path.hasPrefix("storage") }) { throw ValidationError("\(config): \(issue)") }
            return loaded.storage
        }

        func open() async throws -> any AccountStore {
            let store = try AccountStoreFactory.open(url: try storage().url)
            try await store.migrate()
            return store
        }

        /// On a fleet (`storage.redis`), tells every running replica about the change at once
        /// (they would otherwise see it at their next periodic reload, within seconds).
        func announce(_ id: String, _ change: RedisKeyEvents.Change) async throws {
            guard let url = try storage().redisURL else { return }
            let client = RedisClient(endpoint: try RedisEndpoint(url: url), group: MultiThreadedEventLoopGroup.singleton)
            defer { client.close() }
            do {
                try await RedisKeyEvents(client: client).announce(keyID: id, change)
            } catch {
                FileHandle.standardError.write(Data("warning: could not announce the change through Redis (\(error)); replicas see it at their next reload\n".utf8))
            }
        }
    }

    struct Create: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it (shown once).")
        @OptionGroup var store: StoreOptions
        @Option(help: "A name for the key.") var name: String
        @Option(help: "Owner or team tag.") var owner: String?
        @Option(help: "Allowed models, comma separated (patterns like gpt-* work); default all.") var models: String?
        @Option(help: "Prepaid credits in USD, e.g. 10.00.") var credits: String?
        @Option(help: "Requests per minute.") var rpm: Int?
        @Option(help: "Tokens per minute.") var tpm: Int?
        @Option(help: "Maximum parallel requests.") var maxParallel: Int?
        @Option(help: "Expire after this many days.") var expiresInDays: Int?
        @Option(help: "Spending cap in USD per period, e.g. 5.00.") var budget: String?
        @Option(help: "Budget period: daily, weekly or monthly.") var budgetPeriod: String = "monthly"

        func runAsync() async throws {
            for (flag, value) in [("--rpm", rpm), ("--tpm", tpm), ("--max-parallel", maxParallel)] {
                if let value, !(0...VirtualKey.maxLimit).contains(value) { throw ValidationError("\(flag) must be between 0 and \(VirtualKey.maxLimit)") }
            }
            if let days = expiresInDays, !(0...36_500).contains(days) { throw ValidationError("--expires-in-days must be between 0 and 36500") }
            let accounts = try await store.open()
            let plaintext = KeyMaterial.generate()
            let now = Int64(Date().timeIntervalSince1970)
            var key = VirtualKey(
                id: KeyMaterial.newID(), name: name, owner: owner, keyHash: KeyMaterial.hash(plaintext),
                keyPrefix: KeyMaterial.displayPrefix(plaintext), createdAt: now, rpm: rpm, tpm: tpm, maxParallel: maxParallel)
            key.models = models.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
            key.expiresAt = expiresInDays.map { now + Int64($0) * 86_400 }
            if let credits {
                guard let amount = Money(decimal: credits), amount.isAdminAmount(allowNegative: false) else {
                    throw ValidationError("--credits must be a decimal like 10.00, at most \(Money.maxAdminAmount)")
                }
                key.credits = amount
            }
            if let budget {
                guard let amount = Money(decimal: budget), let period = Budget.Period(rawValue: budgetPeriod) else {
                    throw ValidationError("--budget must be a decimal like 5.00 and --budget-period daily, weekly or monthly")
                }
                key.budget = Budget(amount: amount, period: period)
            }
            try await accounts.insert(key)
            try await store.announce(key.id, .edited)
            print("id:  \(key.id)\nkey: \(plaintext)\n(store the key now: it is not shown again)")
        }
    }

    struct List: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "JSON lines instead of a table.") var json = false

        @Option(help: "Only keys whose name or key prefix begins with this, or with this id.") var search: String?
        @Option(help: "At most this many keys (newest first).") var limit: Int?

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func runAsync() async throws {
            let now = Int64(Date().timeIntervalSince1970)
            let opened = try await store.open()
            var remaining = limit ?? .max
            var cursor: PageCursor?
            // A page at a time: a million keys list without holding them all.
            while remaining > 0 {
                let requested = min(remaining, 10_000)
                let page = try await opened.keys(KeyQuery(search: search, before: cursor, limit: requested))
                for key in page {
                    if json {
                        print(Keys.jsonLine(key, now: now))
                    } else {
                        let state = key.isActive(at: now) ? "active" : "inactive"
                        print("\(key.id)  \(key.keyPrefix)  \(state)  \(key.name)  credits=\(key.credits?.description ?? "-")  models=\(key.models.isEmpty ? "*" : key.models.joined(separator: ","))")
                    }
                }
                remaining -= page.count
                guard page.count == requested, let last = page.last else { break }
                cursor = PageCursor(createdAt: last.createdAt, id: last.id)
            }
        }
    }

    struct Show: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one key as JSON.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key id.") var id: String

        func runAsync() async throws {
            guard let key = try await store.open().key(id: id) else { throw ValidationError("no key with id \(id)") }
            print(Keys.jsonLine(key, now: Int64(Date().timeIntervalSince1970)))
        }
    }

    struct Revoke: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key id.") var id: String

        func runAsync() async throws {
            guard try await store.open().revoke(id: id, at: Int64(Date().timeIntervalSince1970)) else {
                throw ValidationError("no key with id \(id)")
            }
            try await store.announce(id, .edited)
            print("revoked \(id)")
        }
    }

    struct TopUp: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(commandName: "topup", abstract: "Add credits (USD) to a key.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key id.") var id: String
        @Argument(help: "Amount in USD, e.g. 5.00.") var amount: String

        func runAsync() async throws {
            guard let money = Money(decimal: amount), money.isAdminAmount(allowNegative: true) else {
                throw ValidationError("amount must be a decimal like 5.00, within ±\(Money.maxAdminAmount)")
            }
            guard let balance = try await store.open().addCredits(id: id, amount: money) else { throw ValidationError("no key with id \(id)") }
            try await store.announce(id, .creditsAdded(money))
            print("\(id) credits: \(balance)")
        }
    }

    static func jsonLine(_ key: VirtualKey, now: Int64) -> String {
        let object: [String: Any] = [
            "id": key.id, "name": key.name, "owner": key.owner ?? NSNull(), "key_prefix": key.keyPrefix, "created_at": key.createdAt,
            "expires_at": key.expiresAt ?? NSNull(), "revoked_at": key.revokedAt ?? NSNull(), "models": key.models,
            "rpm": key.rpm ?? NSNull(), "tpm": key.tpm ?? NSNull(), "max_parallel": key.maxParallel ?? NSNull(),
            "credits": key.credits?.description ?? NSNull(), "metadata": key.metadata, "active": key.isActive(at: now),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
