import ArgumentParser
import NeuralNet

/// `nn evaluate FILE`: the test loss, accuracy and confusion matrix of a saved model.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a saved model on the Fashion-MNIST test set.")

    @Argument(help: "A model saved by `nn train --save`.")
    var file: String

    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        let model = try loadModel(from: file)
        let data = try dataOptions.load()
        let scores = try model.evaluate(data.test)
        for key in scores.scores.keys.sorted() { print("\(key): \(scores[key]!)") }
        if let confusion = scores.confusionMatrix { print(confusion) }
    }
}

/// `nn summary [FILE]`: the layer table of a saved model, a preset or an architecture file.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a model's layers, output shapes and parameter counts.")

    @Argument(help: "A saved model (.safetensors).")
    var file: String?

    @Option(help: "A preset (\(Preset.allCases.map(\.rawValue).joined(separator: ", "))) or an architecture FILE.json.")
    var model: String = "mlp"

    func run() throws {
        let network = try file.map { try loadModel(from: $0) }
            ?? ModelChoice(argument: model).makeModel(optimizer: nil, learningRate: nil, seed: 0)
        // A model whose input shape is known must build: its errors end the command.
        if network.inputShapes != nil { try network.build() }
        print(network.summary())
    }
}
