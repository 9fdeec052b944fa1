public import Hummingbird
import HummingbirdCore
import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
public import SwitchyardCore
import SwitchyardProviders
public import SwitchyardAccounts
import ServiceLifecycle
import SwitchyardRouting
import SwitchyardAccounts

/// What `buildApplication` needs besides the configuration; tests pass their own.
public struct GatewayDependencies: Sendable {
    public var logger: Logger
    /// The outbound transport; nil builds the pooled AsyncHTTPClient one (shut down with the app).
    public var transport: (any UpstreamTransport)?
    /// The account store `storage.url` names (opened where the executable is assembled, so this
    /// target depends on no database driver).
    public var accountStore: any AccountStore
    /// How often keys are reloaded from the store (changes made by the CLI or other replicas).
    public var keyRefreshInterval: Duration = .seconds(2)
    /// The ledger journal's directory — the spool that holds served requests' rows until the
    /// store has them (nil: no journal).
    public var ledgerJournal: URL?

    public init(logger: Logger = Logger(label: "switchyard"), transport: (any UpstreamTransport)? = nil, accountStore: any AccountStore) {
        self.logger = logger
        self.transport = transport
        self.accountStore = accountStore
    }
}

/// Builds the gateway application: used by `switchyard serve` and by the tests. Opens and
/// migrates the account store and loads the key cache before the server starts.
public func buildApplication(configuration: GatewayConfiguration, dependencies: GatewayDependencies) async throws
    -> some ApplicationProtocol
{
    let store = dependencies.accountStore
    try await store.migrate()
    var journal: LedgerJournal?
    if let journalDirectory = dependencies.ledgerJournal {
        // Rows of requests served before a crash (or a stop that could not flush) go to the store first.
        let recovered = LedgerJournal.recover(from: journalDirectory)
        if let through = recovered.through {
            try await store.appendLedger(recovered.entries)
            LedgerJournal.deleteSegments(in: journalDirectory, through: through)
            if !recovered.entries.isEmpty {
                dependencies.logger.notice("ledger journal replayed", metadata: ["entries": "\(recovered.entries.count)"])
            }
        }
        journal = try LedgerJournal(
            directory: journalDirectory, syncInterval: .milliseconds(configuration.storage.ledgerJournalSyncMilliseconds))
    }
    let local = LocalAccountant()
    let ledger = LateBound<Accounting>()
    let fleet = try Fleet.make(
        configuration.storage, store: store, local: local, unflushed: { ledger.value?.unflushedCharges(keyID: $0) ?? .zero },
        logger: dependencies.logger)
    let accounting = Accounting(store: store, logger: dependencies.logger, journal: journal, local: local, accountant: fleet?.accountant)
    ledger.value = accounting
    let keys = KeyCache(store: store, accounting: accounting, events: fleet?.events, logger: dependencies.logger)
    try await keys.reload()
    let readiness = Readiness(store: store, redis: fleet?.client, redisFailOpen: configuration.storage.redisFailOpen)
    var services: [any Service] = [
        KeyCacheRefresher(cache: keys, interval: dependencies.keyRefreshInterval, logger: dependencies.logger), readiness,
    ]
    services += fleet?.services(keys: keys, logger: dependencies.logger) ?? []
    let transport: any UpstreamTransport
    if let given = dependencies.transport {
        transport = given
    } else {
        let client = HTTPUpstreamTransport.makeClient()
        let pool = HTTP1ConnectionPool()
        services.append(HTTPClientService(client: client, pool: pool))
        transport = HTTPUpstreamTransport(client: client, pool: pool, tls: try HTTPUpstreamTransport.tlsConfigurations(configuration.providers))
    }
    var gateway = Gateway(
        configuration: configuration, routers: try RouterSet.build(configuration), transport: transport, accounting: accounting,
        logger: dependencies.logger, responseCache: fleet.map { RedisResponseCache(client: $0.client, logger: dependencies.logger) })
    if let tracing = try GatewayTracing.make(configuration.tracing, logger: dependencies.logger) {
        gateway.tracer = tracing.tracer
        services.append(tracing.service)
    }
    if configuration.routing.healthProbeSeconds > 0 {
        services.append(HealthProber(
            router: gateway.router, transport: transport,
            interval: .milliseconds(Int64(configuration.routing.healthProbeSeconds * 1000)), logger: dependencies.logger))
    }
    let ledgerDays = configuration.storage.ledgerRetentionDays
    services.append(Retention(
        store: store, responsesSeconds: configuration.storage.responsesRetentionSeconds,
        ledgerSeconds: ledgerDays > 0 ? Int64(ledgerDays) * 86_400 : nil, logger: dependencies.logger))
    // Last, so it stops after the others: its final flush covers every drained request.
    services.append(LedgerFlusher(accounting: accounting, interval: .milliseconds(configuration.storage.ledgerFlushMilliseconds)))
    let dashboard = configuration.server.ui ? Dashboard(gateway: gateway, keys: keys, assets: try await DashboardAssets.load()) : nil
    let router = buildRouter(gateway: gateway, keys: keys, readiness: readiness, dashboard: dashboard)
    let server = configuration.server
    let connections = BoundedCounter(limit: server.maxConnections)
    let headerTimeout = TimeAmount.nanoseconds(ServerSettings.nanoseconds(server.headerTimeoutSeconds))
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [ConnectionGuard(headerTimeout: headerTimeout, connections: connections)],
        idleTimeout: .nanoseconds(ServerSettings.nanoseconds(server.idleTimeoutSeconds)))
    return Application(
        router: router,
        server: .http1(configuration: http1),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.server.host, port: configuration.server.port),
            serverName: "switchyard"),
        services: services,
        logger: dependencies.logger)
}

func buildRouter(gateway: Gateway, keys: KeyCache, readiness: Readiness, dashboard: Dashboard?) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestIDMiddleware(metrics: gateway.metrics))
    if let tracer = gateway.tracer { router.add(middleware: RequestTracingMiddleware(tracer: tracer)) }
    router.get("/healthz") { _, _ in HealthRoute.ok }
    router.get("/readyz") { _, _ in readiness.response(models: gateway.router.aliases.count) }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: gateway.metrics.render(router: gateway.router))))
    }
    let models = ModelsRoute(
        listings: ModelsRoute.listings(configuration: gateway.configuration, routers: gateway.routers.current.names), created: Int(Date().timeIntervalSince1970))
    let pipeline = Pipeline(gateway: gateway)
    let countTokens = CountTokensRoute(gateway: gateway)
    let retention = gateway.configuration.storage.responsesRetentionSeconds
    let responses = ResponsesCodec(store: keys.store, retentionSeconds: retention)
    let storedResponses = StoredResponsesRoute(store: keys.store, retentionSeconds: retention)
    let feedback = FeedbackRoute(gateway: gateway, store: keys.store)
    let server = gateway.configuration.server
    router.group("v1")
        .add(middleware: AuthMiddleware(masterKey: server.masterKey, requireKeys: server.requireKeys, keys: keys))
        .post("chat/completions") { request, context in try await pipeline.serve(OpenAIChatCodec(), request, context: context) }
        .post("messages") { request, context in try await pipeline.serve(AnthropicMessagesCodec(), request, context: context) }
        .post("messages/count_tokens") { request, context in try await countTokens.handle(request, context: context) }
        .post("embeddings") { request, context in try await pipeline.serve(EmbeddingsCodec(), request, context: context) }
        .post("completions") { request, context in try await pipeline.serve(PassthroughCodec(endpoint: .completions), request, context: context) }
        .post("images/generations") { request, context in
            try await pipeline.serve(PassthroughCodec(endpoint: .imageGenerations), request, context: context)
        }
        .post("images/edits") { request, context in try await pipeline.serve(PassthroughCodec(endpoint: .imageEdits), request, context: context) }
        .post("audio/speech") { request, context in try await pipeline.serve(PassthroughCodec(endpoint: .speech), request, context: context) }
        .post("audio/transcriptions") { request, context in
            try await pipeline.serve(PassthroughCodec(endpoint: .transcriptions), request, context: context)
        }
        .post("audio/translations") { request, context in
            try await pipeline.serve(PassthroughCodec(endpoint: .translations), request, context: context)
        }
        .post("moderations") { request, context in try await pipeline.serve(PassthroughCodec(endpoint: .moderations), request, context: context) }
        .post("rerank") { request, context in try await pipeline.serve(PassthroughCodec(endpoint: .rerank), request, context: context) }
        .post("responses") { request, context in try await pipeline.serve(responses, request, context: context) }
        .get("responses/{id}") { _, context in try await storedResponses.get(id: context.parameters.get("id") ?? "", context: context) }
        .delete("responses/{id}") { _, context in try await storedResponses.delete(id: context.parameters.get("id") ?? "", context: context) }
        .get("responses/{id}/input_items") { request, context in
            try await storedResponses.inputItems(id: context.parameters.get("id") ?? "", request: request, context: context)
        }
        .post("feedback") { request, context in try await feedback.handle(request, context: context) }
        .get("models") { _, context in models.list(for: context.principal) }
        .get("models/{model}") { _, context in try models.model(context.parameters.get("model") ?? "", for: context.principal) }
    let adminKeys = AdminKeysRoute(cache: keys)
    let adminUsage = AdminUsageRoute(store: keys.store)
    let adminRouting = AdminRoutingRoute(configuration: gateway.configuration, store: keys.store)
    router.group("admin")
        .add(middleware: AuthMiddleware(masterKey: server.masterKey, requireKeys: true, keys: nil, masterOnly: true))
        .get("models") { _, _ in AdminModelsRoute(router: gateway.router).handle() }
        .post("reload") { _, _ in try AdminReloadRoute(routers: gateway.routers).handle() }
        .get("usage") { request, _ in try await adminUsage.handle(request) }
        .get("routing") { request, _ in try await adminRouting.handle(request) }
        .post("keys") { request, context in try await adminKeys.create(request, context: context) }
        .get("keys") { request, _ in try await adminKeys.list(request) }
        .get("keys/{id}") { _, context in try await adminKeys.show(id: context.parameters.get("id") ?? "") }
        .patch("keys/{id}") { request, context in try await adminKeys.update(id: context.parameters.get("id") ?? "", request, context: context) }
        .delete("keys/{id}") { _, context in try await adminKeys.revoke(id: context.parameters.get("id") ?? "") }
        .post("keys/{id}/credits") { request, context in
            try await adminKeys.addCredits(id: context.parameters.get("id") ?? "", request, context: context)
        }
    dashboard?.register(on: router)
    return router
}

/// Liveness and readiness probes.
enum HealthRoute {
    static var ok: Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
}

/// Keeps the upstream clients alive for the app's lifetime and shuts them down after the server.
struct HTTPClientService: Service {
    let client: HTTPClient
    let pool: HTTP1ConnectionPool

    func run() async throws {
        try? await gracefulShutdown()
        pool.closeIdle()
        try await client.shutdown()
    }
}
