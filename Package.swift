// swift-tools-version:6.2
// Pacer: DORA metrics for Kubernetes, on CloudEvents and CDEvents.
//
// Dependencies point one way (see docs/architecture.md):
//   PacerCore  <- KubeCore <- KubeClient <- KubeRuntime
//   PacerCore  <- EventModel, Expressions
//   KubeCore   <- OperatorAPI, KubeSim
//   EventModel <- EventStore, Pipeline, HTTPAPI
//   Controllers -> KubeRuntime, OperatorAPI, Pipeline
//   PacerApp (composition root) -> everything but KubeSim; pacer (executable) -> PacerApp
//   PacerDemo -> PacerApp, KubeSim; pacer-demo (executable) -> PacerDemo
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOFoundationCompat", package: "swift-nio"),
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
    ],
    targets: [
        // L0: values, no I/O
        .target(name: "PacerCore", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: swiftSettings),
        .target(name: "EventModel", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .target(name: "Expressions", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .target(name: "KubeCore", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .target(name: "PacerRules", dependencies: ["PacerCore", "EventModel", "Expressions"], swiftSettings: swiftSettings),
        .target(name: "OperatorAPI", dependencies: ["PacerCore", "KubeCore", "PacerRules"], swiftSettings: swiftSettings),

        // L1: I/O
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeCore", logging, .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Yams", package: "Yams"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ] + nio,
            swiftSettings: swiftSettings),
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeClient", "KubeCore", "PacerCore", logging, lifecycle,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "KubeSim",
            dependencies: ["PacerCore", hummingbird, logging, lifecycle, .product(name: "Yams", package: "Yams")] + nio,
            swiftSettings: swiftSettings),
        .target(
            name: "EventStore",
            dependencies: ["EventModel", "PacerCore", "PacerRules", logging, lifecycle, .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "DequeModule", package: "swift-collections")] + nio,
            swiftSettings: swiftSettings),

        // L2
        .target(
            name: "Pipeline",
            dependencies: ["EventModel", "Expressions", "PacerRules", "EventStore", "PacerCore", logging, lifecycle,
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "AsyncAlgorithms", package: "swift-async-algorithms")],
            swiftSettings: swiftSettings),
        .target(
            name: "Controllers",
            dependencies: ["KubeRuntime", "KubeClient", "KubeCore", "EventModel", "OperatorAPI", "PacerRules", "PacerCore", logging, lifecycle,
                           .product(name: "Metrics", package: "swift-metrics"), .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: swiftSettings),
        .target(
            name: "HTTPAPI",
            dependencies: ["EventModel", "PacerCore", "PacerRules", hummingbird, logging,
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus")] + nio,
            swiftSettings: swiftSettings),

        // L3: composition root, L4: executables
        .target(
            name: "PacerApp",
            dependencies: [
                "PacerCore", "EventModel", "EventStore", "Pipeline", "PacerRules", "OperatorAPI", "HTTPAPI", "Controllers", "KubeClient", "KubeRuntime", "KubeCore",
                logging, lifecycle, hummingbird,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings),
        // The demo (embedded PostgreSQL, in-process kube-sim, a scripted history) is its own executable, so the
        // operator binary the Dockerfile ships links neither kube-sim nor an HTTP client.
        .target(
            name: "PacerDemo",
            dependencies: ["PacerRules", 
                "PacerApp", "PacerCore", "EventModel", "EventStore", "OperatorAPI", "KubeSim", "KubeClient", "KubeCore",
                logging, .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "pacer", dependencies: ["PacerApp", argumentParser], swiftSettings: swiftSettings),
        .executableTarget(name: "pacer-demo", dependencies: ["PacerDemo", "PacerApp", argumentParser, logging], swiftSettings: swiftSettings),
        .executableTarget(name: "kube-sim", dependencies: ["KubeSim", argumentParser, logging], swiftSettings: swiftSettings),
        .executableTarget(
            name: "pacer-bench",
            dependencies: ["PacerApp", "EventModel", "EventStore", "PacerCore", "KubeSim", "KubeClient", "KubeRuntime", "KubeCore",
                           "TestSupport", argumentParser, logging, hummingbird, lifecycle,
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")] + nio,
            path: "hack/bench/Sources/pacer-bench",
            swiftSettings: swiftSettings),

        // Test support (database and kube-sim fixtures shared by the test targets)
        .target(
            name: "TestSupport",
            dependencies: ["EventStore", "OperatorAPI", "KubeSim", "KubeClient", "KubeCore", "PacerCore", logging, lifecycle, .product(name: "PostgresNIO", package: "postgres-nio")] + nio,
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings),

        .testTarget(name: "PacerCoreTests", dependencies: ["PacerCore"], swiftSettings: swiftSettings),
        .testTarget(name: "PacerAppTests", dependencies: ["PacerApp", lifecycle, logging], swiftSettings: swiftSettings),
        .testTarget(name: "EventModelTests", dependencies: ["EventModel", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ExpressionsTests", dependencies: ["Expressions"], swiftSettings: swiftSettings),
        .testTarget(name: "PacerRulesTests", dependencies: ["PacerRules", "EventModel", "PacerCore"], swiftSettings: swiftSettings),
        .testTarget(name: "OperatorAPITests", dependencies: ["OperatorAPI", "TestSupport", "KubeSim"], swiftSettings: swiftSettings),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HTTPAPITests",
            dependencies: ["HTTPAPI", "PacerApp", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KubeSimTests",
            dependencies: ["KubeSim", "PacerCore", "TestSupport", logging,
                           .product(name: "AsyncHTTPClient", package: "async-http-client")] + nio,
            swiftSettings: swiftSettings),
        .testTarget(name: "KubeCoreTests", dependencies: ["KubeCore", "PacerCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KubeClientTests",
            dependencies: ["KubeClient", "KubeCore", "KubeSim", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: ["KubeRuntime", "KubeClient", "KubeCore", "KubeSim", "PacerCore", "TestSupport", logging, lifecycle],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "IntegrationTests", dependencies: ["PacerApp", "PacerDemo", "PacerCore", "Pipeline", "KubeSim", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineTests", dependencies: ["Pipeline", "PacerApp", "TestSupport", "KubeSim", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ControllersTests", dependencies: ["Controllers", "KubeSim", "KubeClient", "KubeRuntime", "TestSupport", "PacerApp", lifecycle],
            swiftSettings: swiftSettings),
    ]
)
