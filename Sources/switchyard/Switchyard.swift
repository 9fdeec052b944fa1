import ArgumentParser

/// The `switchyard` command line: argument parsing only; the work lives in the library targets.

struct Switchyard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "An OpenAI- and Anthropic-compatible LLM gateway.",
        subcommands: [Serve.self, Config.self, Keys.self, UsageReport.self, Router.self, Models.self, Catalog.self],
        defaultSubcommand: Serve.self)
}

/// A command whose work is asynchronous; `main.swift` awaits `runAsync()`.
protocol AsyncRunnableCommand: ParsableCommand {
    func runAsync() async throws
}
