// swift-tools-version: 6.2
import PackageDescription

/// Our own targets build in Swift 6 mode with every warning an error: an ignored
/// `await` or unused result can hide a write that never ran.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "PileGate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pilegate", targets: ["pilegate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // Pure protocol: frames, messages, validation. No I/O, no clocks.
        .target(name: "OCPP", swiftSettings: strict),
        // Vehicles and charging physics: shared by the simulator (to charge) and the gateway (to estimate).
        .target(name: "EVModel", swiftSettings: strict),
        // The system SQLite (libsqlite3-dev): prepared statements we keep and reuse.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // O_DIRECT for the store's record log (glibc's fcntl.h; no library to link).
        .systemLibrary(name: "CDirectIO"),
        .target(
            name: "SessionStore",
            dependencies: [
                "OCPP", "CSQLite", "CDirectIO", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        // Security profiles: password hashes, certificates and the test CA. No I/O.
        .target(
            name: "PileSecurity",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict),
        .target(
            name: "OCPPWebSocket",
            dependencies: [
                "OCPP", "PileSecurity",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Strict YAML loading (unknown keys are errors, errors name file and line).
        .target(
            name: "YAMLConfig",
            dependencies: ["OCPP", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .target(
            name: "Gateway",
            dependencies: [
                "OCPP", "OCPPWebSocket", "SessionStore", "YAMLConfig", "EVModel", "PileSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        // Charge-point role: piles, vehicles, physics, fleets. Meets the gateway only on the wire.
        .target(
            name: "Simulator",
            dependencies: [
                "OCPP", "OCPPWebSocket", "YAMLConfig", "EVModel", "PileSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .target(
            name: "HTTPAPI",
            dependencies: [
                "OCPP", "Gateway", "SessionStore", "OCPPWebSocket", "EVModel",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The compatibility lab: scenarios, campaigns, reports, record and replay.
        .target(
            name: "Lab",
            dependencies: [
                "OCPP", "OCPPWebSocket", "Gateway", "Simulator", "SessionStore", "HTTPAPI", "YAMLConfig", "EVModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "pilegate",
            dependencies: [
                "Gateway", "HTTPAPI", "SessionStore", "OCPPWebSocket", "YAMLConfig", "Simulator", "Lab", "EVModel", "PileSecurity",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "pilegate-load",
            dependencies: [
                "OCPP", "OCPPWebSocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/LoadDriver",
            swiftSettings: strict),
        // Re-balancing cost of station load management (docs/benchmarks.md); prints figures, asserts nothing.
        .executableTarget(name: "rebalance_bench", dependencies: ["Gateway", "OCPP"], path: "Benchmarks/rebalance_bench", swiftSettings: strict),
        // The write-path benchmark's floor (Benchmarks/write_path.py): raw NIO, canned OCPP replies, no store.
        .executableTarget(
            name: "ocpp_floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Benchmarks/ocpp_floor",
            swiftSettings: strict),
        .testTarget(name: "OCPPTests", dependencies: ["OCPP"], swiftSettings: strict),
        // Hostile payloads and frames for the property and fuzz tests (test support; not shipped).
        .target(name: "WireFuzz", dependencies: ["OCPP"], path: "Tests/WireFuzz", swiftSettings: strict),
        .testTarget(name: "FuzzTests", dependencies: ["OCPP", "WireFuzz"], swiftSettings: strict),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "HTTPAPI", "SessionStore", "OCPPWebSocket", "OCPP", "YAMLConfig", "Simulator", "EVModel", "WireFuzz", "PileSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "LabTests",
            dependencies: ["Lab", "Gateway", "HTTPAPI", "SessionStore", "Simulator", "OCPP", "YAMLConfig", "EVModel"],
            swiftSettings: strict),
        .testTarget(
            name: "SimulatorTests",
            dependencies: ["Simulator", "OCPP", "YAMLConfig", "EVModel", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict),
    ]
)
