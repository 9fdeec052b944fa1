import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import SwitchyardCore
import SwitchyardServer

/// `switchyard serve`: load the config and run the gateway until SIGTERM/SIGINT.
struct Serve: ParsableCommand, AsyncRunnableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @Option(name: .shortAndLong, help: "Path to switchyard.yaml (default: ./switchyard.yaml when it exists).")
    var config: String?

    @Option(help: "Override server.host.")
    var host: String?

    @Option(help: "Override server.port.")
    var port: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Log format: text (default) or json (one JSON object per line).")
    var logFormat: String = "text"

    func runAsync() async throws {
        guard logFormat == "text" || logFormat == "json" else { throw ValidationError("--log-format must be text or json") }
        var logger = logFormat == "json" ? Logger(label: "switchyard", factory: { JSONLogHandler(label: $0) }) : Logger(label: "switchyard")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = try loadConfiguration(logger: logger)
        if let host { configuration.server.host = host }
        if let port { configuration.server.port = port }
        if configuration.server.requireKeys && configuration.server.masterKey == nil {
            logger.warning("server.require_keys is true but no server.master_key is set: every /v1 request will get 401. Set master_key (e.g. master_key: ${SWITCHYARD_MASTER_KEY}) or require_keys: false for local use.")
        }
        for warning in ConfigurationValidator.warnings(in: configuration, today: Int64(Date().timeIntervalSince1970) / 86_400) {
            logger.warning("\(warning)")
        }
        var dependencies = GatewayDependencies(logger: logger, accountStore: try AccountStoreFactory.open(url: configuration.storage.url))
        dependencies.ledgerJournal = AccountStoreFactory.journalDirectory(configuration.storage, server: configuration.server)
        let app = try await buildApplication(configuration: configuration, dependencies: dependencies)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.server.shutdownGraceSeconds * 1000))
        logger.info("switchyard listening", metadata: [
            "host": "\(configuration.server.host)", "port": "\(configuration.server.port)",
            "models": "\(configuration.models.map(\.name).joined(separator: ","))",
        ])
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    private func loadConfiguration(logger: Logger) throws -> GatewayConfiguration {
        let path = config ?? (FileManager.default.fileExists(atPath: "switchyard.yaml") ? "switchyard.yaml" : nil)
        guard let path else {
            logger.notice("""
                No config file: starting with defaults and no models. Create switchyard.yaml with `providers:` \
                (e.g. openai: { type: openai, api_key: ${OPENAI_API_KEY} }) and `models:` \
                (e.g. - name: mini, targets: [{ provider: openai, model: gpt-4o-mini }]), then pass --config switchyard.yaml.
                """)
            return GatewayConfiguration()
        }
        do {
            return try ConfigurationLoader().load(path: path)
        } catch {
            throw ValidationError("invalid configuration \(path):\n\(error.description)")
        }
    }
}
