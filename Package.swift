// swift-tools-version: 6.0
// CellFreeLab: user-centric cell-free massive MIMO research toolkit.
// Layers (one-way): CLapack/CHDF5 ← Linalg/H5 ← CellFree ← Learning ← Pipeline/Experiments ← cellfree.
import PackageDescription

let package = Package(
    name: "CellFreeLab",
    products: [
        .executable(name: "cellfree", targets: ["CellFreeCLI"]),
        .library(name: "Linalg", targets: ["Linalg"]),
        .library(name: "H5", targets: ["H5"]),
        .library(name: "CellFree", targets: ["CellFree"]),
        .library(name: "Learning", targets: ["Learning"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // OpenBLAS (CBLAS) + reference LAPACKE; complex types mapped to structs in shim.h.
        .systemLibrary(name: "CLapack", path: "Sources/CLapack", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        // HDF5 1.10 serial; shim.h exposes the macros Swift cannot import.
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        // OpenSSL's libcrypto for SHA-256 (swift-crypto would compile BoringSSL: +70–80 s per clean build).
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // The one durable write: temporary, fsync, rename, fsync of the directory.
        .target(name: "DurableFile"),
        .target(name: "Linalg", dependencies: [
            "CLapack",
            .product(name: "ComplexModule", package: "swift-numerics"),
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "H5", dependencies: [
            "CHDF5",
            .product(name: "ComplexModule", package: "swift-numerics"),
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "CellFree", dependencies: ["Linalg"]),
        // Float32 tensors, a reverse-mode tape, attention variants and the papers' models.
        // Cross-module optimization lets callers specialize the generic engine for Float; without it every
        // element operation goes through protocol witnesses (20–40× slower).
        .target(name: "Learning", dependencies: ["Linalg"],
                swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        // Checkpoints (weights and AdamW state) in HDF5.
        .target(name: "ModelStore", dependencies: ["Learning", "H5", "DurableFile"]),
        // Reads golden model files (PyTorch reference) and checks Learning against them.
        .target(name: "ModelCheck", dependencies: ["Learning", "H5", "ModelStore"]),
        // Reads reference-simulator files (Octave layout) and checks CellFree against them.
        .target(name: "ReferenceCheck", dependencies: ["CellFree", "H5"]),
        // Manifests, plans and keys, the HDF5 cache, locks, the scheduler and its executors (local, Slurm).
        .target(name: "Pipeline", dependencies: ["H5", "CCrypto", "DurableFile", .product(name: "Yams", package: "Yams")]),
        // The stage kinds of the papers' experiments: physics and models bound to the pipeline; figures.
        .target(name: "Experiments", dependencies: ["CellFree", "Learning", "ModelStore", "Pipeline", "H5", "Linalg", "DurableFile"]),
        // The bodies of `cellfree bench …` (the CLI parses their options and prints their lines).
        .target(name: "Benchmarks", dependencies: ["Linalg", "CellFree", "Learning", "Pipeline", "Experiments"]),
        .executableTarget(name: "CellFreeCLI", dependencies: [
            "Linalg", "H5", "CellFree", "ReferenceCheck", "Learning", "ModelCheck", "Pipeline", "Experiments", "Benchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Fixture paths and scratch directories shared by the test targets.
        .target(name: "TestSupport", dependencies: [.product(name: "RealModule", package: "swift-numerics")], path: "Tests/TestSupport"),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg", "TestSupport"]),
        .testTarget(name: "H5Tests", dependencies: ["H5", "Linalg", "TestSupport"]),
        .testTarget(name: "CellFreeTests", dependencies: ["CellFree", "ReferenceCheck", "H5", "Linalg", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "H5", "DurableFile", "TestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Pipeline", "CellFree", "Linalg", "H5", "TestSupport"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "ModelCheck", "ModelStore", "H5", "Linalg", "TestSupport"]),
    ]
)
