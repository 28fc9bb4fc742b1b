import ArgumentParser
import Foundation

/// The `nn` command: train and inspect NeuralNet models from a shell.
@main
struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Train, evaluate and inspect neural networks with NeuralNet.",
        subcommands: [Train.self, Evaluate.self, Summary.self],
        defaultSubcommand: Train.self)

    static func main() {
        // Progress goes to standard error; line-buffering standard output keeps the two in
        // order when both are redirected to one log file.
        setvbuf(stdout, nil, _IOLBF, 0)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
