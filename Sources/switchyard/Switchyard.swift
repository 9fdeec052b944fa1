import ArgumentParser

/// The `switchyard` command line: argument parsing only; the work lives in the library targets.
@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "An OpenAI- and Anthropic-compatible LLM gateway.",
        subcommands: [Serve.self, Config.self],
        defaultSubcommand: Serve.self)
}
