import ArgumentParser
import Foundation
import NeuralNet

/// `--data DIR`, shared by the commands that read Fashion-MNIST.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A directory holding the Fashion-MNIST IDX files (plain or .gz).",
        discussion: "Without it: $NEURALNET_DATA, ./data/fashion-mnist, /usr/share/datasets/fashion-mnist, then the embedded sample."))
    var data: String?

    /// The dataset: the directory given (an error if it lacks the files), else the standard
    /// places, else the embedded sample, saying so on standard error. Files that are found
    /// but unreadable are an error, never a silent fallback.
    func load() throws -> FashionMNIST {
        if let data { return try FashionMNIST(directory: data) }
        if FashionMNIST.isInstalled || ProcessInfo.processInfo.environment["NEURALNET_DATA"].map({ !$0.isEmpty }) == true {
            return try FashionMNIST()
        } else {
            let sample = try FashionMNIST.sample()
            printError("""
                Fashion-MNIST is not installed; using the embedded sample (\(sample.train.count) training, \
                \(sample.test.count) test images). For the full set: apt-get install dataset-fashion-mnist
                """)
            return sample
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
