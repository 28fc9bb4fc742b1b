// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "NeuralNet",
    products: [
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .executable(name: "nn", targets: ["nn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The hot loops: raw pointers and SIMD, no knowledge of tensors or layers.
        .target(name: "NeuralNetKernels"),
        .target(name: "NeuralNet", dependencies: ["NeuralNetKernels"]),
        .executableTarget(
            name: "nn",
            dependencies: [
                "NeuralNet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "NeuralNetKernels"]),
    ]
)
