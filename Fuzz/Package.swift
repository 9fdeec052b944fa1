// swift-tools-version:6.1
// libFuzzer targets for the parsers a client, an upstream or an operator feeds (issue #12).
// A package of its own (like Benchmarks/): it is built with `--sanitize=fuzzer`, which
// instruments every module, so it never shares a build directory with the root package.
// `Fuzz/run.sh` builds and runs them; docs/fuzzing.md records the runs.
import PackageDescription

let targets: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzRequestBody", [.product(name: "SwitchyardProviders", package: "Switchyard"), .product(name: "SwitchyardCore", package: "Switchyard")]),
    ("FuzzJSONScanner", [.product(name: "SwitchyardCore", package: "Switchyard")]),
    ("FuzzSSEParser", [.product(name: "SwitchyardCore", package: "Switchyard")]),
    ("FuzzEventStream", [.product(name: "SwitchyardProviders", package: "Switchyard")]),
    ("FuzzWordPiece", [.product(name: "SwitchyardRouting", package: "Switchyard")]),
    ("FuzzConfigLoader", [.product(name: "SwitchyardServer", package: "Switchyard")]),
]

let package = Package(
    name: "SwitchyardFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Switchyard", path: "..")],
    targets: targets.map { .executableTarget(name: $0.name, dependencies: $0.dependencies) },
    swiftLanguageModes: [.v6]
)
