import Foundation
import ArgumentParser
import SwitchyardServer
import SwitchyardCore
import SwitchyardRouting

/// `switchyard config …`: configuration tools.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect configuration.", subcommands: [Check.self])

    /// `switchyard config check --config F`: validate and print every error with its path.
    struct Check: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a config file and print every problem with its path.")

        @Option(name: .shortAndLong, help: "Path to switchyard.yaml.")
        var config: String = "switchyard.yaml"

        func runAsync() async throws {
            let configuration: GatewayConfiguration
            do {
                configuration = try ConfigurationLoader().load(path: config)
            } catch {
                for issue in error.issues { print("\(config): \(issue)") }
                throw ExitCode(1)
            }
            do {
                _ = try RouterSet.build(configuration)
            } catch {
                print("\(config): routers: \(error)")
                throw ExitCode(1)
            }
            let today = Int64(Date().timeIntervalSince1970) / 86_400
            for warning in ConfigurationValidator.warnings(in: configuration, today: today) { print("\(config): warning: \(warning)") }
            print("\(config): OK (\(configuration.providers.count) providers, \(configuration.models.count) models, \(configuration.routers.count) routers)")
        }
    }
}
