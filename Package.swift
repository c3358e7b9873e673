// swift-tools-version:6.2
// Pacer: DORA metrics for Kubernetes, on CloudEvents and CDEvents.
//
// The module graph, its layers and the rule each follows: docs/architecture.md ("Module graph"). Each target
// declares exactly the modules its files import; `make test` checks both (hack/check-imports.py).
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "pacer",
    products: [
        .executable(name: "pacer", targets: ["pacer"]),
        .executable(name: "pacer-demo", targets: ["pacer-demo"]),
        .executable(name: "kube-sim", targets: ["kube-sim"]),
        .executable(name: "pacer-bench", targets: ["pacer-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Values, no I/O
        .target(name: "PacerCore", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: swiftSettings),
        .target(name: "EventModel", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .target(name: "Expressions", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .target(name: "KubeCore", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .target(name: "PacerRules", dependencies: ["PacerCore", "EventModel", "Expressions"], swiftSettings: swiftSettings),
        .target(name: "OperatorAPI", dependencies: ["KubeCore", "PacerRules"], swiftSettings: swiftSettings),

        // I/O
        .target(
            name: "KubeClient",
            dependencies: [
                "PacerCore", "KubeCore", .product(name: "AsyncHTTPClient", package: "async-http-client"), logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "KubeRuntime",
            dependencies: [
                "PacerCore", "KubeCore", "KubeClient", .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"), logging,
                .product(name: "Metrics", package: "swift-metrics"), lifecycle,
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "KubeSim",
            dependencies: [
                "PacerCore", .product(name: "HTTPTypes", package: "swift-http-types"), hummingbird, logging,
                .product(name: "NIOCore", package: "swift-nio"), lifecycle,
                .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "EventStore",
            dependencies: [
                "PacerCore", "EventModel", "PacerRules", .product(name: "DequeModule", package: "swift-collections"), logging,
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "PostgresNIO", package: "postgres-nio"),
                lifecycle,
            ],
            swiftSettings: swiftSettings),

        // Behaviour
        .target(
            name: "Pipeline",
            dependencies: [
                "PacerCore", "EventModel", "Expressions", "PacerRules", "EventStore", logging,
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "PostgresNIO", package: "postgres-nio"),
                lifecycle,
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Controllers",
            dependencies: [
                "PacerCore", "EventModel", "KubeCore", "PacerRules", "OperatorAPI", "KubeClient", "KubeRuntime",
                .product(name: "DequeModule", package: "swift-collections"), logging,
                .product(name: "Metrics", package: "swift-metrics"), lifecycle,
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "HTTPAPI",
            dependencies: [
                "PacerCore", "EventModel", "PacerRules", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"), hummingbird, logging, .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),

        // Composition
        .target(
            name: "PacerApp",
            dependencies: [
                "PacerCore", "EventModel", "KubeCore", "PacerRules", "OperatorAPI", "KubeClient", "KubeRuntime", "EventStore",
                "Pipeline", "Controllers", "HTTPAPI", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"), hummingbird,
                logging, .product(name: "Metrics", package: "swift-metrics"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"), lifecycle,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "PacerDemo",
            dependencies: [
                "PacerCore", "EventModel", "KubeCore", "PacerRules", "OperatorAPI", "KubeClient", "KubeSim", "EventStore",
                "PacerApp", .product(name: "AsyncHTTPClient", package: "async-http-client"), logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),

        // Executables
        .executableTarget(name: "pacer", dependencies: ["PacerApp", argumentParser, logging], swiftSettings: swiftSettings),
        .executableTarget(
            name: "pacer-demo",
            dependencies: [
                "PacerApp", "PacerDemo", argumentParser, logging,
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "kube-sim", dependencies: ["KubeSim", argumentParser, logging], swiftSettings: swiftSettings),
        .executableTarget(
            name: "pacer-bench",
            dependencies: [
                "PacerCore", "KubeCore", "PacerRules", "OperatorAPI", "KubeClient", "KubeRuntime", "KubeSim", "EventStore",
                "Pipeline", "Controllers", "PacerApp", "TestSupport", argumentParser,
                .product(name: "AsyncHTTPClient", package: "async-http-client"), hummingbird, logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"), lifecycle,
            ], path: "hack/bench/Sources/pacer-bench",
            swiftSettings: swiftSettings),

        // Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "PacerCore", "KubeCore", "PacerRules", "OperatorAPI", "KubeClient", "KubeSim", "EventStore",
                .product(name: "Crypto", package: "swift-crypto"), logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"), lifecycle,
            ], path: "Tests/TestSupport",
            swiftSettings: swiftSettings),
        .testTarget(name: "PacerCoreTests", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .testTarget(name: "PacerAppTests", dependencies: ["PacerApp", "PacerCore", "TestSupport", hummingbird, logging, lifecycle], swiftSettings: swiftSettings),
        .testTarget(name: "EventModelTests", dependencies: ["PacerCore", "EventModel"], swiftSettings: swiftSettings),
        .testTarget(name: "ExpressionsTests", dependencies: ["PacerCore", "Expressions"], swiftSettings: swiftSettings),
        .testTarget(name: "PacerRulesTests", dependencies: ["PacerCore", "EventModel", "Expressions", "PacerRules"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OperatorAPITests",
            dependencies: [
                "PacerCore", "EventModel", "Expressions", "KubeCore", "PacerRules", "OperatorAPI", "KubeSim", "TestSupport",
                logging,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EventStoreTests",
            dependencies: [
                "PacerCore", "EventModel", "PacerRules", "EventStore", "TestSupport", logging,
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "HTTPAPITests",
            dependencies: [
                "EventModel", "PacerRules", "HTTPAPI", "PacerApp", "TestSupport", "KubeSim", "KubeClient", "KubeCore", "PacerCore",
                "EventStore", "Pipeline",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                hummingbird, .product(name: "HummingbirdTesting", package: "hummingbird"), logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KubeSimTests",
            dependencies: [
                "PacerCore", "KubeSim", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"), logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "KubeCoreTests", dependencies: ["PacerCore", "KubeCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "PacerCore", "KubeCore", "KubeClient", "KubeSim", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "PacerCore", "KubeCore", "KubeClient", "KubeRuntime", "KubeSim", "TestSupport", logging, lifecycle,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "PacerCore", "EventModel", "Pipeline", "PacerApp", "PacerDemo", "TestSupport", logging,
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "PacerCore", "EventModel", "Expressions", "PacerRules", "OperatorAPI", "EventStore", "Pipeline", "PacerApp",
                "TestSupport", logging, .product(name: "PostgresNIO", package: "postgres-nio"), lifecycle,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ControllersTests",
            dependencies: [
                "PacerCore", "EventModel", "KubeCore", "PacerRules", "OperatorAPI", "KubeClient", "KubeRuntime", "KubeSim",
                "EventStore", "Controllers", "PacerApp", "TestSupport", logging,
                .product(name: "PostgresNIO", package: "postgres-nio"), lifecycle,
            ],
            swiftSettings: swiftSettings),
    ]
)
