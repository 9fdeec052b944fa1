import ArgumentParser
import SwitchyardServer
import SwitchyardCore

/// `switchyard config …`: configuration tools.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect configuration.", subcommands: [Check.self])

    /// `switchyard config check --config F`: validate and print every error with its path.
    struct Check: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a config file and print every problem with its path.")

        @Option(name: .shortAndLong, help: "Path to switchyard.yaml.")
        var config: String = "switchyard.yaml"

        func runAsync() async throws {
            do {
                let configuration = try ConfigurationLoader().load(path: config)
                print("\(config): OK (\(configuration.providers.count) providers, \(configuration.models.count) models)")
            } catch {
                for issue in error.issues { print("\(config): \(issue)") }
                throw ExitCode(1)
            }
        }
    }
}
