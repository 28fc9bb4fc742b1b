import ArgumentParser

/// The `nn` command: train and inspect NeuralNet models from a shell.
@main
struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Train, evaluate and inspect neural networks with NeuralNet.",
        subcommands: [Train.self, Evaluate.self, Summary.self, Bench.self],
        defaultSubcommand: Train.self)
}
