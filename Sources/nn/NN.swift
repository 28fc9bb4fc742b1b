import ArgumentParser
import Foundation
import NeuralNet

/// The `nn` command: train and inspect NeuralNet models from a shell.
@main
struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Train, evaluate and inspect neural networks with NeuralNet.",
        version: NeuralNet.version,
        subcommands: [Train.self, Evaluate.self, Predict.self, Summary.self, Generate.self, Bench.self],
        defaultSubcommand: Train.self)

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // Standard output may still hold buffered lines; write them before the error, so a
            // log reads in order.
            fflush(nil)
            exit(withError: error)
        }
    }
}
