// swift-tools-version:6.1
import PackageDescription

/// Dependencies point one way: core ← coordination (clock, wake-ups, change feed); core ← store ←
/// {SQLite, PostgreSQL}; {store, coordination} ← {runtime, relay}; HTTP ← runtime; server (the
/// assembly: which adapters, their lifecycles) ← {HTTP, relay, SQLite, PostgreSQL} ← executable.
let package = Package(
    name: "DeskBridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "deskbridge", targets: ["deskbridge"]),
        .executable(name: "deskbridge-bench", targets: ["deskbridge-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
    ],
    targets: [
        /// zlib, for Tencent UserSig (a zlib stream inside URL-safe base64).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        /// The pure core: wire shapes, identities, signatures, the ownership state machine,
        /// the flow engine, routing and translation. No I/O, no clocks, no logging.
        .target(
            name: "DeskBridgeCore",
            dependencies: [
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        /// Reads `deskbridge.yaml` into the core's typed `DeskBridgeConfig` and validates it.
        .target(
            name: "DeskBridgeConfig",
            dependencies: ["DeskBridgeCore", .product(name: "Yams", package: "Yams")]
        ),
        /// Storage ports and the in-memory adapter.
        .target(name: "DeskBridgeStore", dependencies: ["DeskBridgeCore"]),
        /// What the workers of one process share besides the store: the wall clock, the wake-up
        /// signals and the feed of changes the live pages hear.
        .target(name: "DeskBridgeCoordination", dependencies: ["DeskBridgeCore"]),
        /// The embedded SQLite adapter (GRDB, WAL, synchronous=FULL).
        .target(
            name: "DeskBridgeSQLite",
            dependencies: ["DeskBridgeStore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Metrics", package: "swift-metrics")]
        ),
        /// The PostgreSQL adapter (postgres-nio), for several replicas sharing one database.
        .target(
            name: "DeskBridgePostgres",
            dependencies: [
                "DeskBridgeStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// The shell around the core: processing accepted webhooks in order, desk commands, queue draining.
        .target(
            name: "DeskBridgeRuntime",
            dependencies: [
                "DeskBridgeStore", "DeskBridgeCoordination",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// Outbound calls: the durable outbox workers, the HTTP transport and OAuth.
        .target(
            name: "DeskBridgeRelay",
            dependencies: [
                "DeskBridgeStore", "DeskBridgeCoordination",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The HTTP surface (Hummingbird 2) over the ports: routes, pages, request deadlines.
        .target(
            name: "DeskBridgeHTTP",
            dependencies: [
                "DeskBridgeConfig", "DeskBridgeRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                /// Reading uploaded CSV files (quick replies).
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            /// The pages (HTML, CSS, ES modules), served as they are.
            resources: [.copy("Public")]
        ),
        /// `buildApplication`: chooses the adapters (SQLite or PostgreSQL, the HTTP client) and
        /// joins their lifecycles with the workers and the HTTP surface.
        .target(
            name: "DeskBridgeServer",
            dependencies: [
                "DeskBridgeHTTP", "DeskBridgeRelay", "DeskBridgeSQLite", "DeskBridgePostgres", "DeskBridgeConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// `deskbridge replay`: recorded conversations against a fresh instance and local stand-ins.
        .target(
            name: "DeskBridgeReplay",
            dependencies: [
                "DeskBridgeServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "deskbridge",
            dependencies: [
                "DeskBridgeServer", "DeskBridgeReplay", "DeskBridgeSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        /// Every parser of outside input as a fuzz target (`scripts/fuzz`, and the regression test).
        .target(name: "DeskBridgeFuzzTargets", dependencies: ["DeskBridgeCore", "DeskBridgeConfig"]),
        /// libFuzzer's entry when built by `scripts/fuzz`; otherwise a replayer of saved inputs.
        .executableTarget(name: "deskbridge-fuzz", dependencies: ["DeskBridgeFuzzTargets"]),
        /// The benchmark (not a test): ceiling, ingest, end to end, handoff and memory, with ratios.
        .executableTarget(
            name: "deskbridge-bench",
            dependencies: [
                "DeskBridgeServer", "DeskBridgeReplay", "DeskBridgePostgres", "DeskBridgeRuntime", "DeskBridgeSQLite", "DeskBridgeConfig", "DeskBridgeRelay",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/deskbridge-bench"
        ),
        .target(
            name: "DeskBridgeTestSupport",
            dependencies: [
                "DeskBridgeServer", "DeskBridgeReplay",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/DeskBridgeTestSupport"
        ),
        .testTarget(name: "DeskBridgeCoreTests", dependencies: ["DeskBridgeCore", "DeskBridgeConfig", "DeskBridgeFuzzTargets"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DeskBridgeRuntimeTests", dependencies: ["DeskBridgeRuntime", "DeskBridgeTestSupport"]),
        .testTarget(name: "DeskBridgeStoreTests", dependencies: [
            "DeskBridgeSQLite", "DeskBridgePostgres", "DeskBridgeServer", "DeskBridgeTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(
            name: "DeskBridgeRelayTests",
            dependencies: [
                "DeskBridgeRelay", "DeskBridgeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "DeskBridgeHTTPTests",
            dependencies: [
                "DeskBridgeHTTP", "DeskBridgeServer", "DeskBridgeSQLite", "DeskBridgeTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "DeskBridgeEndToEndTests",
            dependencies: ["DeskBridgeTestSupport", "DeskBridgePostgres", "DeskBridgeStore", "DeskBridgeConfig", .product(name: "Logging", package: "swift-log")],
            exclude: ["Scripts"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
