import ArgumentParser
import Foundation
import SwitchyardAccounts
import SwitchyardCore
import SwitchyardRouting
import SwitchyardServer

/// `switchyard router …`: score, evaluate, calibrate and retrain the learned router.
struct Router: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score prompts, evaluate and calibrate the learned router, retrain it from feedback.",
        subcommands: [Score.self, Eval.self, Calibrate.self, Train.self, Report.self])

    /// Which weights to use: `--weights F`, else the `weights:` of `--router` in `--config`, else the bundled model.
    struct ModelOptions: ParsableArguments {
        @Option(help: "Router name (its weights come from the config).") var router: String = "auto"
        @Option(name: .shortAndLong, help: "Path to switchyard.yaml.") var config: String = "switchyard.yaml"
        @Option(help: "A weights file (overrides the config).") var weights: String?

        func load() throws -> LearnedRouterModel {
            if let weights { return try LearnedRouterModel(contentsOf: URL(fileURLWithPath: weights)) }
            if FileManager.default.fileExists(atPath: config) {
                let (configuration, _) = try ConfigurationLoader().loadLeniently(path: config)
                if let path = configuration.routers.first(where: { $0.name == router })?.weightsPath {
                    return try LearnedRouterModel(contentsOf: URL(fileURLWithPath: path))
                }
            }
            return try LearnedRouterModel.bundled()
        }
    }

    /// `router report [--from --to] [--json]`: per router, decisions, strong share and savings
    /// (against the strong alias's price) from the ledger — as `GET /admin/routing` has them.
    struct Report: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each router's decisions, strong share and savings from the ledger.")
        @OptionGroup var store: Keys.StoreOptions
        @Option(help: "From (seconds since 1970 or YYYY-MM-DD; default 30 days before --to).") var from: String?
        @Option(help: "To, exclusive (seconds since 1970 or YYYY-MM-DD; default now).") var to: String?
        @Flag(help: "JSON (as GET /admin/routing) instead of a table.") var json = false

        func runAsync() async throws {
            let (configuration, _) = FileManager.default.fileExists(atPath: store.config)
                ? try ConfigurationLoader().loadLeniently(path: store.config) : (GatewayConfiguration(), [])
            let (start, end) = try RoutingReport.period(from: try UsageFormat.time(from, name: "from"), to: try UsageFormat.time(to, name: "to"))
            let report = try await RoutingReport.build(configuration: configuration, store: try await store.open(), from: start, to: end)
            if json {
                print(String(decoding: RoutingReport.json(report, from: start, to: end).serialized, as: UTF8.self))
                return
            }
            if report.isEmpty { print("No routers in \(store.config).") }
            for row in report {
                let share = row.strongShare.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
                let target = row.targetShare.map { String(format: " (target %.1f%%)", $0 * 100) } ?? ""
                var line = "\(row.router) [\(row.kind), \(row.mode)]\tdecisions=\(row.decisions)\tstrong=\(share)\(target)"
                line += "\tcost=\(row.cost) USD\tat \(row.reference ?? "itself")=\(row.atReference) USD\tsaved=\(row.savings) USD"
                if row.mode == "shadow" { line += "\tif live: cost=\(row.projected) USD saved=\(row.projectedSavings) USD" }
                print(line)
            }
        }
    }

    /// `router score < prompts.jsonl > scores.jsonl`: one `{"score": P(strong)}` per input line, in order.
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Score JSONL prompts from stdin: {\"prompt\"} or {\"messages\"} → {\"score\"}.")
        @OptionGroup var model: ModelOptions
        @Flag(help: "Print decision latency percentiles (tokenize + embed + score) to stderr.") var timing = false

        func run() throws {
            let loaded = try model.load()
            var latencies: [Duration] = []
            var lineNumber = 0
            while let line = readLine(strippingNewline: true) {
                lineNumber += 1
                guard !line.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { continue }
                guard let request = try? JSONValue.parse(Array(line.utf8)), request.isObject else {
                    throw ValidationError("line \(lineNumber): not a JSON object")
                }
                let features = RequestFeatures(json: request)
                let start = ContinuousClock.now
                let score = loaded.score(features)
                latencies.append(ContinuousClock.now - start)
                print(#"{"score":\#(score)}"#)
            }
            if timing { FileHandle.standardError.write(Data(LatencyReport.describe(latencies).utf8)) }
        }
    }

    /// `router eval --data FILE.csv|jsonl`: APGR and CPT with random and oracle baselines.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate on labelled prompts: RouteLLM CSV (prompt, weak correct, strong correct) or JSONL {prompt, weak, strong}.")
        @OptionGroup var model: ModelOptions
        @Option(help: "A CSV file, a JSONL file, or a directory of CSV files.") var data: String

        func run() throws {
            let loaded = try model.load()
            let rows = try LabelledPrompts.load(data)
            guard !rows.isEmpty else { throw ValidationError("\(data): no labelled prompts") }
            let examples = rows.map { RouterMetrics.Example(score: loaded.score($0.features), weakCorrect: $0.weak, strongCorrect: $0.strong) }
            let weakAccuracy = Double(rows.filter(\.weak).count) / Double(rows.count)
            let strongAccuracy = Double(rows.filter(\.strong).count) / Double(rows.count)
            print("prompts \(rows.count)  weak accuracy \(format(weakAccuracy))  strong accuracy \(format(strongAccuracy))")
            print("router\tAPGR\tCPT(50%)\tCPT(80%)")
            for (name, summary) in [
                ("learned", RouterMetrics.summary(examples)), ("random", RouterMetrics.random(examples)), ("oracle", RouterMetrics.oracle(examples)),
            ] {
                print("\(name)\t\(format(summary.apgr))\t\(format(summary.cpt50))\t\(format(summary.cpt80))")
            }
        }

        func format(_ value: Double) -> String { String(format: "%.4f", value) }
    }

    /// `router calibrate --strong-share 0.3 --data prompts.jsonl`: the threshold that sends that share strong.
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the threshold that sends --strong-share of the prompts to the strong model.")
        @OptionGroup var model: ModelOptions
        @Option(help: "Share of prompts to send strong (0–1).") var strongShare: Double
        @Option(help: "JSONL prompts ({\"prompt\"} or {\"messages\"}), a RouteLLM CSV, or a directory of CSVs.") var data: String

        func run() throws {
            guard (0...1).contains(strongShare) else { throw ValidationError("--strong-share must be between 0 and 1") }
            let loaded = try model.load()
            let prompts = try LabelledPrompts.load(data, labelsRequired: false)
            guard !prompts.isEmpty else { throw ValidationError("\(data): no prompts") }
            let scores = prompts.map { loaded.score($0.features) }.sorted()
            let threshold = ShareCalibrator.threshold(forShare: strongShare, sorted: scores)
            let share = Double(scores.filter { $0 >= threshold }.count) / Double(scores.count)
            print(String(format: "%.6f", threshold))
            FileHandle.standardError.write(Data("threshold \(String(format: "%.6f", threshold)) sends \(String(format: "%.1f", share * 100))% of \(scores.count) prompts strong\n".utf8))
        }
    }
}

/// Latency percentiles of router decisions.
enum LatencyReport {
    /// The process's peak resident set (`VmHWM`, Linux), for the model's memory cost.
    static func peakRSS() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    static func describe(_ latencies: [Duration]) -> String {
        guard !latencies.isEmpty else { return "no decisions\n" }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> String {
            let value = sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
            return String(format: "%.3f ms", Double(value.components.attoseconds) / 1e15 + Double(value.components.seconds) * 1000)
        }
        return "decisions \(sorted.count)  p50 \(percentile(0.5))  p99 \(percentile(0.99))  max \(percentile(1))  peak RSS \(peakRSS())\n"
    }
}

extension Router {
    /// `router train --from-feedback --out F`: refit the router on feedback in the store.
    struct Train: ParsableCommand, AsyncRunnableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refit the learned router on POST /v1/feedback verdicts and write a new weights file (set it as the router's weights:).")
        @OptionGroup var model: ModelOptions
        @Flag(help: "Train on the feedback stored in the config's storage.url.") var fromFeedback = false
        @Option(help: "Where to write the new weights file.") var out: String
        @Option(help: "How many shipped examples one in-domain label counts as.") var weight: Double = 5

        func runAsync() async throws {
            guard fromFeedback else { throw ValidationError("--from-feedback is the only training source") }
            let (configuration, issues) = try ConfigurationLoader().loadLeniently(path: model.config)
            if let issue = issues.first(where: { $0.path.hasPrefix("storage") || $0.path.hasPrefix("routers") }) {
                throw ValidationError("\(model.config): \(issue)")
            }
            guard let router = configuration.routers.first(where: { $0.name == model.router }), router.kind == .learned,
                let weak = router.weak, let strong = router.strong
            else { throw ValidationError("\(model.config): no learned router named \(model.router)") }
            let basePath = model.weights ?? router.weightsPath
            let base = try basePath.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) } ?? LearnedRouterModel.bundledBytes()
            let loaded = try LearnedRouterModel(bytes: base)
            let store = try AccountStoreFactory.open(url: configuration.storage.url)
            try await store.migrate()
            let feedback = try await store.feedback(router: router.name)
            let date = ISO8601DateFormatter().string(from: Date()).prefix(10)
            let (file, report) = try FeedbackTrainer.retrain(
                base: base, model: loaded, feedback: feedback, weak: weak, strong: strong, weight: weight, date: String(date))
            try Data(file).write(to: URL(fileURLWithPath: out))
            print("\(out): \(report.usedRows) of \(report.feedbackRows) feedback rows used, \(report.prototypesChanged) prototypes refitted")
        }
    }
}
