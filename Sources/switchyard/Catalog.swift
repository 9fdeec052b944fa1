import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardServer

/// Where `switchyard models` and `switchyard catalog` find the data directory: the config's
/// `storage.data_dir` when a config file is there, else the working directory.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Path to switchyard.yaml (for storage.data_dir).") var config: String = "switchyard.yaml"
    @Option(help: "The data directory (overrides the config's storage.data_dir).") var dataDir: String?

    func directory() -> String {
        if let dataDir { return dataDir }
        guard FileManager.default.fileExists(atPath: config),
            let (configuration, _) = try? ConfigurationLoader().loadLeniently(path: config)
        else { return "." }
        return configuration.storage.dataDirectory
    }
}

/// `switchyard models [--provider P] [--json]`: the model catalog (shipped, merged with the data
/// directory's update).
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the model catalog: prices, context windows, capabilities.")
    @OptionGroup var location: DataDirectoryOptions
    @Option(help: "Only this provider type (openai, anthropic, vertex, …).") var provider: String?
    @Flag(help: "The entries as a catalog JSON file.") var json = false

    func run() throws {
        let (catalog, problem) = ModelCatalog.load(dataDirectory: location.directory())
        if let problem { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        let entries = catalog.entries.filter { provider == nil || $0.provider == provider }
        if json {
            print(String(decoding: try ModelCatalog(entries: entries).json(), as: UTF8.self))
            return
        }
        print("provider\tmodel\tkind\tinput\toutput\tcached\tcontext\tmax_output\tcapabilities\tdeprecation\tas_of")
        for entry in entries {
            let units = [
                entry.perImage.map { "$\(Self.number($0))/image" }, entry.perAudioSecond.map { "$\(Self.number($0))/s" },
                entry.perMillionCharacters.map { "$\(Self.number($0))/M chars" }, entry.perRequest.map { "$\(Self.number($0))/request" },
            ].compactMap { $0 }
            let fields = [
                entry.provider, entry.model, entry.kind,
                entry.input.map(Self.number) ?? (units.first ?? "-"), entry.output.map(Self.number) ?? "-", entry.cachedInput.map(Self.number) ?? "-",
                entry.contextWindow.map(String.init) ?? "-", entry.maxOutputTokens.map(String.init) ?? "-",
                entry.capabilities.isEmpty ? "-" : entry.capabilities.joined(separator: ","), entry.deprecation ?? "-", entry.asOf,
            ]
            print(fields.joined(separator: "\t"))
        }
        print("\(entries.count) models from \(Set(entries.map(\.provider)).count) providers; USD per million tokens unless marked; catalog as of \(catalog.asOf)")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// `switchyard catalog update --from FILE`: merges a newer catalog file into the data
/// directory, where the gateway reads it at start — prices change without a rebuild.
struct Catalog: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Update the model catalog.", subcommands: [Update.self])

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate FILE (a catalog JSON file) and merge it into <data_dir>/catalog.json; entries dated the same day or later win.")
        @OptionGroup var location: DataDirectoryOptions
        @Option(help: "The newer catalog file.") var from: String

        func run() throws {
            let newer: ModelCatalog
            do {
                newer = try ModelCatalog(json: Data(contentsOf: URL(fileURLWithPath: from)))
            } catch {
                print("\(from): \(error)")
                throw ExitCode(1)
            }
            let directory = location.directory()
            let (current, problem) = ModelCatalog.load(dataDirectory: directory)
            if let problem { print("warning: \(problem)") }
            let merged = current.merged(with: newer)
            let path = ModelCatalog.updatePath(dataDirectory: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try merged.json().write(to: URL(fileURLWithPath: path), options: .atomic)
            let changed = newer.entries.filter { entry in current.entries.first { $0.provider == entry.provider && $0.model == entry.model } != entry }
            print("\(path): \(merged.entries.count) models (\(changed.count) new or changed from \(from)); as of \(merged.asOf). Restart the gateway to use it.")
        }
    }
}
