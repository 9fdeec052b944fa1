// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks (ordo-one/benchmark): `cd Benchmarks && swift package benchmark`.
// A package of its own so the gateway's build and CI never compile the benchmark tooling.
let package = Package(
    name: "SwitchyardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Switchyard", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SwitchyardBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchyardCore", package: "Switchyard"),
                .product(name: "SwitchyardProviders", package: "Switchyard"),
                .product(name: "SwitchyardRouting", package: "Switchyard"),
                .product(name: "SwitchyardServer", package: "Switchyard"),
                .product(name: "SwitchyardStoreSQLite", package: "Switchyard"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Benchmarks/SwitchyardBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The server framework's floor (bench/run.sh runs it beside nginx and Switchyard): Hummingbird answering a fixed body.
        .executableTarget(
            name: "hummingbird-floor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "HummingbirdFloor"
        ),
    ],
    swiftLanguageModes: [.v6]
)
