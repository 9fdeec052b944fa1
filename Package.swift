// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardServer", targets: ["SwitchyardServer"]),
        // For the micro-benchmarks in Benchmarks/ (a separate package, so CI's build skips them).
        .library(name: "SwitchyardCore", targets: ["SwitchyardCore"]),
        .library(name: "SwitchyardProviders", targets: ["SwitchyardProviders"]),
        .library(name: "SwitchyardRouting", targets: ["SwitchyardRouting"]),
        .library(name: "SwitchyardStoreSQLite", targets: ["SwitchyardStoreSQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // OTLP/HTTP only: the gRPC exporter would add grpc-swift and minutes of build time.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Already in the graph (Hummingbird, AsyncHTTPClient): per-provider TLS and the connection guard.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // The dashboard's server-rendered pages (no dependencies of its own).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "SwitchyardCore",
            resources: [.copy("Resources/catalog.json")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwitchyardProviders",
            dependencies: [
                "SwitchyardCore", .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwitchyardRouting",
            dependencies: ["SwitchyardCore", "SwitchyardProviders", "SwitchyardAccounts"],
            resources: [.copy("Resources/router-mmlu.syr"), .copy("Resources/router-mmlu.syr.sha256")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwitchyardAccounts",
            dependencies: ["SwitchyardCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwitchyardStoreSQLite",
            dependencies: ["SwitchyardAccounts", "SwitchyardCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwitchyardStorePostgres",
            dependencies: [
                "SwitchyardAccounts", "SwitchyardCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardProviders",
                "SwitchyardRouting",
                "SwitchyardAccounts",
                "SwitchyardRedis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/ui")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardServer",
                "SwitchyardRouting",
                "SwitchyardCore",
                "SwitchyardAccounts",
                "SwitchyardStoreSQLite",
                "SwitchyardStorePostgres",
                "SwitchyardRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        // A small Redis client on SwiftNIO (no Swift Redis client is in the package set): RESP,
        // a pipelined connection pool, scripts, pub/sub.
        .target(
            name: "SwitchyardRedis",
            dependencies: [
                "SwitchyardAccounts", "SwitchyardCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SwitchyardTesting",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardProviders",
                "SwitchyardAccounts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "switchyard-fake-upstream",
            dependencies: [
                "SwitchyardTesting", "SwitchyardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardRedisTests",
            dependencies: ["SwitchyardRedis", "SwitchyardTesting", "SwitchyardAccounts", "SwitchyardCore", .product(name: "Logging", package: "swift-log"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardStorePostgresTests",
            dependencies: ["SwitchyardStorePostgres", "SwitchyardAccounts", "SwitchyardTesting", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardCoreTests",
            dependencies: ["SwitchyardCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardProvidersTests",
            dependencies: ["SwitchyardProviders", "SwitchyardCore", "SwitchyardTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardAccountsTests",
            dependencies: ["SwitchyardAccounts", "SwitchyardCore", "SwitchyardTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardStoreSQLiteTests",
            dependencies: [
                "SwitchyardStoreSQLite", "SwitchyardAccounts", "SwitchyardCore", "SwitchyardTesting", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardRoutingTests",
            dependencies: [
                "SwitchyardRouting", "SwitchyardCore", "SwitchyardProviders", "SwitchyardTesting", "SwitchyardAccounts",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardServer",
                "SwitchyardCore",
                "SwitchyardTesting",
                "SwitchyardAccounts",
                "SwitchyardStoreSQLite",
                "SwitchyardRouting",
                "SwitchyardRedis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
