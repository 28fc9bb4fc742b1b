import ArgumentParser

/// The `nn` command: train and inspect NeuralNet models from a shell.
@main
struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Train and evaluate neural networks with NeuralNet.",
        subcommands: [Train.self],
        defaultSubcommand: Train.self)
}
