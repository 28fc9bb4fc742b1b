// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "NeuralNet",
    // The kernels' workspace pool uses Synchronization.Mutex (macOS 15 and later).
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        // Data-parallel training over MPI; its code is compiled only with the MPI trait.
        .library(name: "NeuralNetMPI", targets: ["NeuralNetMPI"]),
        .executable(name: "nn", targets: ["nn"]),
    ],
    traits: [
        .trait(
            name: "MPI",
            description: "Data-parallel training over MPI (Open MPI or MPICH from the system): swift build --traits MPI"),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target NeuralNet` (the DocC catalog in
        // Sources/NeuralNet/NeuralNet.docc); nothing of it is linked into the library.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // The matrix-multiply micro-kernels, one function per instruction set, chosen at run time.
        .target(name: "CNeuralNetKernels"),
        // The hot loops: raw pointers, SIMD and threads, no knowledge of tensors or layers.
        .target(name: "NeuralNetKernels", dependencies: ["CNeuralNetKernels"]),
        // The system zlib, for gzip-compressed dataset files.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // The system's MPI, reached only with the MPI trait (pkg-config `mpi`: Open MPI or MPICH).
        .systemLibrary(
            name: "CMPI", pkgConfig: "mpi",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]),
        .target(
            name: "NeuralNetMPI",
            dependencies: ["NeuralNet", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(
            name: "NeuralNet",
            dependencies: ["NeuralNetKernels", "CZlib"],
            resources: [.copy("Resources/FashionMNISTSample"), .copy("Resources/Shakespeare")]),
        // Hostile-input harness for the readers (`swift run -c release nn-fuzz`).
        .target(name: "NeuralNetFuzz", dependencies: ["NeuralNet"]),
        .executableTarget(name: "nn-fuzz", dependencies: ["NeuralNetFuzz"]),
        .executableTarget(
            name: "nn",
            dependencies: [
                "NeuralNet",
                "NeuralNetKernels",
                .target(name: "NeuralNetMPI", condition: .when(traits: ["MPI"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The issues' acceptance programs, runnable as `swift run -c release NAME`.
        .executableTarget(name: "fashion-mlp", dependencies: ["NeuralNet"], path: "Examples/FashionMLP"),
        .executableTarget(name: "fashion-cnn", dependencies: ["NeuralNet"], path: "Examples/FashionCNN"),
        .executableTarget(name: "graph-models", dependencies: ["NeuralNet"], path: "Examples/GraphModels"),
        .executableTarget(name: "resume-training", dependencies: ["NeuralNet"], path: "Examples/ResumeTraining"),
        .executableTarget(name: "tabular-regression", dependencies: ["NeuralNet"], path: "Examples/TabularRegression"),
        .executableTarget(name: "char-transformer", dependencies: ["NeuralNet"], path: "Examples/CharTransformer"),
        .testTarget(
            name: "NeuralNetTests", dependencies: ["NeuralNet", "NeuralNetKernels", "NeuralNetFuzz"],
            // Files written by earlier versions, PyTorch and NumPy, which must keep loading.
            resources: [.copy("Fixtures")]),
    ]
)
