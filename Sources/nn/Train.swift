import ArgumentParser
import Foundation
import NeuralNet

/// `nn train`: trains a classifier on a built-in problem, reports progress and accuracy.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a classifier and report its test accuracy.")

    enum Problem: String, ExpressibleByArgument, CaseIterable {
        case spirals, xor
    }

    @Option(help: "The problem to learn: \(Problem.allCases.map(\.rawValue).joined(separator: ", ")).")
    var problem: Problem = .spirals

    @Option(help: "Passes over the training data.")
    var epochs: Int = 60

    @Option(help: "Samples per gradient step.")
    var batchSize: Int = 32

    @Option(help: "The optimizer's step size.")
    var learningRate: Float = 0.01

    @Option(help: "Seeds initialisation and shuffling.")
    var seed: UInt64 = 1

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--learning-rate must be a positive number, got \(learningRate)")
        }
    }

    func run() throws {
        switch problem {
        case .spirals: try trainSpirals()
        case .xor: try trainXOR()
        }
    }

    private func trainSpirals() throws {
        let train = Spirals.make(count: 2000, seed: seed)
        let test = Spirals.make(count: 1000, seed: seed + 1)
        let model = Sequential(loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: learningRate),
                               metrics: [.accuracy]) {
            Dense(2, 64, activation: .relu)
            Dense(64, 64, activation: .relu)
            Dense(64, 2)
        }
        print("Training \(model.parameterCount) parameters on two spirals (2,000 points), testing on 1,000")
        let start = Date()
        try model.fit(train.x, train.y, epochs: epochs, batchSize: batchSize, seed: seed,
                      callbacks: [EpochLine(epochs: epochs)])
        let scores = try model.evaluate(test.x, test.y)
        print(String(format: "test loss %.4f, test accuracy %.4f (%.1f s)",
                     scores["loss"]!, scores["accuracy"]!, Date().timeIntervalSince(start)))
    }

    private func trainXOR() throws {
        let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
        let y = Tensor([[0], [1], [1], [0]])
        let net = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), metrics: [.accuracy]) {
            Dense(2, 3, activation: .tanh)
            Dense(3, 1, activation: .tanh)
        }
        try net.fit(x, y, epochs: epochs, batchSize: 1, seed: seed, callbacks: [EpochLine(epochs: epochs)])
        print(net.predict(x))
        print(String(format: "accuracy %.2f", try net.evaluate(x, y)["accuracy"]!))
    }
}

/// Prints one line per epoch (every epoch for short runs, every tenth for long ones).
final class EpochLine: Callback {
    let epochs: Int
    init(epochs: Int) { self.epochs = epochs }

    func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        guard epochs <= 20 || epoch % (epochs / 10) == 0 || epoch == epochs else { return false }
        let metrics = logs.keys.sorted().map { String(format: "%@ %.4f", $0, logs[$0]!) }.joined(separator: ", ")
        print("epoch \(epoch)/\(epochs): \(metrics)")
        return false
    }
}
