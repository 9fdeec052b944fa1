import Foundation
import SwitchyardCore
import SwitchyardProviders
import Testing
@testable import SwitchyardServer

@Suite struct ConfigurationLoaderTests {
    let loader = ConfigurationLoader(environment: ["OPENAI_API_KEY": "sk-from-env", "PORT": "9000"])

    @Test func loadsTheDesignExampleShapeWithInterpolation() throws {
        let configuration = try loader.load(yaml: """
            server:   { host: 0.0.0.0, port: ${PORT}, master_key: ${SWITCHYARD_MASTER_KEY:-sk-sy-default}, require_keys: true }
            providers:
              openai: { type: openai, api_key: ${OPENAI_API_KEY} }
              local:  { type: openai-compatible, base_url: "http://127.0.0.1:8081/v1" }
              groq:   { api_key: "${GROQ_API_KEY:-gsk-none}" }
            models:
              - name: mini
                targets: [ { provider: openai, model: gpt-4o-mini, weight: 3 }, { provider: local, model: qwen } ]
                price: { input: 0.15, output: 0.60 }
                context_window: 128000
            routing: { retries: 1, timeout_seconds: 30 }
            """)
        #expect(configuration.server.port == 9000)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.masterKey?.value == "sk-sy-default")
        #expect(configuration.provider(named: "openai")?.apiKey?.value == "sk-from-env")
        #expect(configuration.provider(named: "groq")?.type == "groq", "a provider named like a preset defaults to that type")
        #expect(configuration.model(named: "mini")?.targets.map(\.weight) == [3, 1])
        #expect(configuration.model(named: "mini")?.price == Price(input: 0.15, output: 0.60))
        #expect(configuration.routing.retries == 1)
    }

    @Test func reportsEveryProblemWithItsPath() {
        do {
            _ = try loader.load(yaml: """
                server: { port: abc }
                providers:
                  openai: { type: openai, api_key: ${MISSING_KEY} }
                  weird: { type: nosuch }
                models:
                  - name: a
                    targets: [ { provider: openai, model: x } ]
                  - name: a
                    targets: []
                  - name: c
                    targets: [ { provider: opnai, model: y } ]
                    fallbacks: [ zzz ]
                    colour: blue
                """)
            Issue.record("accepted an invalid config")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains { $0.hasPrefix("server.port: expected an integer") })
            #expect(lines.contains { $0.hasPrefix("providers.openai.api_key: environment variable MISSING_KEY is not set") })
            #expect(lines.contains { $0.hasPrefix("providers.weird.type: unknown provider type \"nosuch\"") })
            #expect(lines.contains("models[1].name: duplicate model name \"a\""))
            #expect(lines.contains("models[1].targets: at least one target is required"))
            #expect(lines.contains("models[2].targets[0].provider: unknown provider \"opnai\" (did you mean \"openai\"?)"))
            #expect(lines.contains("models[2].fallbacks[0]: unknown model \"zzz\""))
            #expect(lines.contains { $0.hasPrefix("models[2].colour: unknown field") })
        }
    }

    @Test func anEmptyFileIsTheDefaultConfiguration() throws {
        let configuration = try loader.load(yaml: "")
        #expect(configuration.server.port == 8080)
        #expect(configuration.models.isEmpty)
    }

    @Test func secretsNeverPrint() throws {
        let configuration = try loader.load(yaml: "providers:\n  openai: { type: openai, api_key: ${OPENAI_API_KEY} }\n")
        #expect(!String(describing: configuration).contains("sk-from-env"))
        #expect(!String(reflecting: configuration).contains("sk-from-env"))
    }
}

@Suite struct HardeningConfigurationTests {
    @Test func serverLimitsStorageJournalAndProviderTLSAreRead() throws {
        let yaml = """
            server: { header_timeout_seconds: 5, idle_timeout_seconds: 30, max_connections: 100, max_response_bytes: 2048, max_buffered_bytes: 4096 }
            storage: { url: "sqlite://x.db", ledger_journal: "/tmp/j" }
            providers:
              p: { type: openai-compatible, base_url: "https://h/v1", tls: { insecure_skip_verify: true } }
            models:
              - { name: m, targets: [ { provider: p, model: x } ] }
            """
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
        #expect(configuration.server.headerTimeoutSeconds == 5 && configuration.server.idleTimeoutSeconds == 30)
        #expect(configuration.server.maxConnections == 100)
        #expect(configuration.server.maxResponseBytes == 2048 && configuration.server.maxBufferedBytes == 4096)
        #expect(configuration.storage.ledgerJournal == "/tmp/j")
        #expect(configuration.providers.first?.tls.insecureSkipVerify == true)
    }

    @Test func badLimitsAndAnUnreadableCAFileAreReported() {
        let yaml = """
            server: { header_timeout_seconds: 0, max_connections: 0, max_response_bytes: 4096, max_buffered_bytes: 1024 }
            providers:
              p: { type: openai-compatible, base_url: "https://h/v1", tls: { ca_file: /nonexistent/ca.pem, bogus: 1 } }
            models:
              - { name: m, targets: [ { provider: p, model: x } ] }
            """
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
            Issue.record("expected configuration errors")
        } catch {
            let paths = Set(error.issues.map(\.path))
            for path in [
                "server.header_timeout_seconds", "server.max_connections", "server.max_buffered_bytes", "providers.p.tls.ca_file",
                "providers.p.tls.bogus",
            ] {
                #expect(paths.contains(path), "\(path) in \(paths)")
            }
        }
    }

    @Test func responsesSettingsAndCachePricesAreRead() throws {
        let yaml = """
            storage: { responses_retention_days: 7 }
            providers:
              az: { type: azure, base_url: "https://n.openai.azure.com", api_key: k, responses_api: true }
              oa: { type: openai, api_key: k }
            models:
              - { name: m, targets: [ { provider: az, model: x } ], price: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 } }
            """
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
        #expect(configuration.storage.responsesRetentionDays == 7)
        #expect(configuration.storage.responsesRetentionSeconds == 7 * 86_400)
        #expect(configuration.provider(named: "az")?.responsesAPI == true)
        #expect(configuration.provider(named: "oa")?.responsesAPI == nil)
        #expect(configuration.models.first?.price == Price(input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75))
        // Azure serves Responses only when configured so; OpenAI always.
        #expect(configuration.provider(named: "az").flatMap(ProviderRegistry.adapter(for:)) is any ResponsesFormatAdapter)
        #expect(configuration.provider(named: "oa").flatMap(ProviderRegistry.adapter(for:)) is any ResponsesFormatAdapter)
        var plain = try #require(configuration.provider(named: "az"))
        plain.responsesAPI = nil
        #expect(!(ProviderRegistry.adapter(for: plain) is any ResponsesFormatAdapter))
    }

    @Test func aRetentionOfNoTimeIsReported() {
        #expect(throws: ConfigurationErrors.self) {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: "storage: { responses_retention_days: 0 }")
        }
    }

    @Test func readsTheFleetStorageKeys() throws {
        let configuration = try ConfigurationLoader(environment: ["PGPASSWORD": "pw"]).load(yaml: """
            storage:
              url: "postgres://switchyard:${PGPASSWORD}@db:5432/switchyard"
              redis: "rediss://:secret@cache:6380/2"
              redis_fail_open: true
              redis_lease_seconds: 12.5
              ledger_retention_days: 90
              ledger_journal_sync_ms: 50
              ledger_flush_ms: 1000
            """)
        let storage = configuration.storage
        #expect(storage.ledgerJournalSyncMilliseconds == 50 && storage.ledgerFlushMilliseconds == 1_000)
        #expect(StorageSettings().ledgerJournalSyncMilliseconds == 10 && StorageSettings().ledgerFlushMilliseconds == 200)
        #expect(storage.url == "postgres://switchyard:pw@db:5432/switchyard")
        #expect(storage.redisURL == "rediss://:secret@cache:6380/2")
        #expect(storage.redisFailOpen && storage.redisLeaseSeconds == 12.5 && storage.ledgerRetentionDays == 90)
        #expect(!StorageSettings().redisFailOpen && StorageSettings().redisLeaseSeconds == 30 && StorageSettings().ledgerRetentionDays == 0)
    }

    @Test func readsTheDashboardKeys() throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: "server: { ui: false, ui_session_hours: 0.5 }")
        #expect(!configuration.server.ui && configuration.server.uiSessionHours == 0.5)
        #expect(ServerSettings().ui && ServerSettings().uiSessionHours == 8)
        for bad in ["server: { ui_session_hours: 0 }", "server: { ui_session_hours: 721 }", "server: { ui: sometimes }"] {
            do {
                _ = try ConfigurationLoader(environment: [:]).load(yaml: bad)
                Issue.record("accepted: \(bad)")
            } catch {
                #expect(error.issues.contains { $0.path.hasPrefix("server.ui") }, "\(error)")
            }
        }
    }

    @Test(arguments: [
        ("storage: { url: \"mysql://db/x\" }", "storage.url"),
        ("storage: { redis: \"http://cache\" }", "storage.redis"),
        ("storage: { redis_lease_seconds: 0.5 }", "storage.redis_lease_seconds"),
        ("storage: { ledger_retention_days: -1 }", "storage.ledger_retention_days"),
        ("storage: { redis_fail_open: maybe }", "storage.redis_fail_open"),
        ("storage: { ledger_journal_sync_ms: 0 }", "storage.ledger_journal_sync_ms"),
        ("storage: { ledger_journal_sync_ms: 5000 }", "storage.ledger_journal_sync_ms"),
        ("storage: { ledger_flush_ms: 5 }", "storage.ledger_flush_ms"),
        ("storage: { ledger_flush_ms: fast }", "storage.ledger_flush_ms"),
    ])
    func badFleetStorageKeysAreReportedWithTheirPath(_ yaml: String, _ path: String) {
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.issues.contains { $0.path == path }, "\(error)")
        }
    }

    @Test func readsTheCatalogUnitPricesAndProviderKeysOfIssue16() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let update = #"{"models":[{"provider":"openai","model":"dall-e-3","kind":"image","per_image":0.05,"capabilities":[],"source":"https://openai.com/api/pricing/","as_of":"2099-01-01"}]}"#
        try Data(update.utf8).write(to: directory.appendingPathComponent("catalog.json"))
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: """
            storage: { data_dir: "\(directory.path)" }
            providers:
              openai: { type: openai, api_key: k }
              co: { type: cohere, api_key: k }
            models:
              - name: painter
                targets: [ { provider: openai, model: dall-e-3 } ]
              - name: speech
                targets: [ { provider: openai, model: my-voice, price: { input: 0, output: 0, per_million_characters: 20 } } ]
                price: { input: 0, output: 0, per_image: 1, per_audio_second: 0.1, per_request: 0.5 }
                allow_unpriced: true
                supports: { vision: false }
            """)
        #expect(configuration.storage.dataDirectory == directory.path)
        let painter = try #require(configuration.model(named: "painter"))
        #expect(configuration.price(of: painter.targets[0], in: painter)?.perImage == 0.05, "the data directory's catalog wins over the shipped one")
        let speech = try #require(configuration.model(named: "speech"))
        #expect(speech.targets[0].price?.perMillionCharacters == 20)
        #expect(speech.price == Price(input: 0, output: 0, perImage: 1, perAudioSecond: 0.1, perRequest: 0.5))
        #expect(speech.allowUnpriced && speech.supports == ["vision": false])
        #expect(!configuration.supports("vision", model: speech) && configuration.supports("tools", model: speech))
        #expect(configuration.provider(named: "co")?.type == "cohere")
    }

    @Test func vertexNeedsAProjectARegionAndAUsableKeyFile() {
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: "providers: { v: { type: vertex, credentials_file: /nonexistent.json } }")
            Issue.record("accepted a Vertex provider without project, region or key file")
        } catch {
            #expect(Set(error.issues.map(\.path)) == ["providers.v.project", "providers.v.region", "providers.v.credentials_file"], "\(error)")
        }
    }

    @Test func unpricedTargetsAndRetiredModelsAreWarnedAbout() throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: """
            providers: { openai: { type: openai, api_key: k }, anthropic: { type: anthropic, api_key: k } }
            models:
              - { name: priced, targets: [ { provider: openai, model: gpt-4o-mini } ] }
              - { name: mystery, targets: [ { provider: openai, model: my-fine-tune } ] }
              - { name: old, targets: [ { provider: anthropic, model: claude-3-5-sonnet-20241022 } ] }
            """)
        let today = CivilDate("2026-11-30")?.daysSince1970 ?? 0
        let warnings = ConfigurationValidator.warnings(in: configuration, today: today)
        #expect(warnings.map(\.path) == ["models[1].targets[0]", "models[2].targets[0]"])
        #expect(warnings[0].message.contains("no price for openai/my-fine-tune") && warnings[0].message.contains("402 unpriced_model"))
        #expect(warnings[1].message.contains("retired by its provider on 2025-10-22"))
    }

    @Test func readsTheCacheAndAffinityKeysOfIssue17() throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: """
            cache: { max_bytes: 1048576 }
            providers: { openai: { type: openai, api_key: k } }
            models:
              - name: mini
                targets: [ { provider: openai, model: gpt-4o-mini } ]
                cache: { ttl_seconds: 60, scope: team, max_entry_bytes: 4096, nondeterministic: true, charge: true,
                         semantic: { threshold: 0.95, max_entries: 1000, any_prompt: true } }
                prompt_cache_affinity: false
                anthropic_auto_cache: true
              - { name: plain, targets: [ { provider: openai, model: gpt-4o } ] }
            """)
        #expect(configuration.cacheMaxBytes == 1_048_576)
        let mini = try #require(configuration.model(named: "mini"))
        let cache = try #require(mini.cache)
        #expect(cache.ttlSeconds == 60 && cache.scope == .team && cache.maxEntryBytes == 4096 && cache.nondeterministic && cache.charge)
        #expect(cache.semantic?.threshold == 0.95 && cache.semantic?.maxEntries == 1000 && cache.semantic?.anyPrompt == true)
        #expect(!mini.promptCacheAffinity && mini.anthropicAutoCache)
        let plain = try #require(configuration.model(named: "plain"))
        #expect(plain.cache == nil && plain.promptCacheAffinity && !plain.anthropicAutoCache)
        for (bad, path) in [
            ("{ scope: everyone }", "models[0].cache.scope"), ("{ ttl_seconds: 0 }", "models[0].cache.ttl_seconds"),
            ("{ semantic: { threshold: 1.5 } }", "models[0].cache.semantic.threshold"), ("{ semantic: { distance: 2 } }", "models[0].cache.semantic.distance"),
        ] {
            do {
                _ = try ConfigurationLoader(environment: [:]).load(yaml: """
                    providers: { openai: { type: openai, api_key: k } }
                    models: [ { name: m, targets: [ { provider: openai, model: gpt-4o } ], cache: \(bad) } ]
                    """)
                Issue.record("accepted cache \(bad)")
            } catch {
                #expect(error.issues.contains { $0.path == path }, "\(error)")
            }
        }
    }

    @Test func readsTheLearnedRoutersTierControls() throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: """
            providers: { openai: { type: openai, api_key: k } }
            models:
              - { name: mini, targets: [ { provider: openai, model: gpt-4o-mini } ] }
              - { name: big, targets: [ { provider: openai, model: gpt-4o } ] }
            routers:
              - name: auto
                kind: learned
                weak: mini
                strong: big
                strong_share: 0.3
                overrides:
                  - { team: research, strong_share: 0.6, allow_share_header: true }
                  - { key: key_a, threshold: 0.9 }
                allow_share_header: true
                budget_pressure: { below: 0.2, max_share: 0.05 }
                sticky_sessions: false
                shadow: true
                default: mini
            """)
        let auto = try #require(configuration.routers.first)
        #expect(auto.overrides == [
            RouterOverride(team: "research", strongShare: 0.6, allowShareHeader: true), RouterOverride(key: "key_a", threshold: 0.9),
        ])
        #expect(auto.allowShareHeader && !auto.stickySessions && auto.shadow && auto.defaultModel == "mini")
        #expect(auto.budgetPressure == BudgetPressure(below: 0.2, maxShare: 0.05))
        for (bad, path) in [
            ("overrides: [ { team: t, key: k, threshold: 0.5 } ]", "routers[0].overrides[0]"),
            ("overrides: [ { team: t } ]", "routers[0].overrides[0]"),
            ("overrides: [ { team: t, strong_share: 2 } ]", "routers[0].overrides[0].strong_share"),
            ("budget_pressure: { below: 0 , max_share: 0.1 }", "routers[0].budget_pressure.below"),
            ("budget_pressure: { below: 0.2 }", "routers[0].budget_pressure"),
            ("default: nowhere", "routers[0].default"),
        ] {
            do {
                _ = try ConfigurationLoader(environment: [:]).load(yaml: """
                    providers: { openai: { type: openai, api_key: k } }
                    models: [ { name: mini, targets: [ { provider: openai, model: gpt-4o-mini } ] } ]
                    routers: [ { name: auto, kind: learned, weak: mini, strong: mini, \(bad) } ]
                    """)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.issues.contains { $0.path == path }, "\(error)")
            }
        }
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: """
                providers: { openai: { type: openai, api_key: k } }
                models: [ { name: mini, targets: [ { provider: openai, model: gpt-4o-mini } ] } ]
                routers: [ { name: tiered, kind: rules, rules: [ { when: { min_tokens: 1 }, use: mini } ], default: mini, shadow: true } ]
                """)
            Issue.record("accepted shadow on a rules router")
        } catch {
            #expect(error.issues.contains { $0.path == "routers[0].shadow" }, "\(error)")
        }
    }
}
