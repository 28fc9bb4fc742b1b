import ArgumentParser
import Foundation
import NeuralNet

/// `nn predict MODEL --input FILE.npy | --data DIR [--output FILE.npy|.json]`: the predicted
/// class and its probability for each sample.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict the class of each sample with a saved model.",
        discussion: """
            Inputs come from a NumPy file (--input x.npy, shape [samples, ...] matching the model's input, \
            values as the model was trained on, e.g. pixels in [0, 1]) or the Fashion-MNIST test images \
            (--data DIR, or the usual places without --input). Prints one line per sample, or writes \
            --output FILE.npy (a [samples, 2] float32 array of class and probability) or FILE.json.
            """)

    @Argument(help: "A model saved by `nn train --save`.")
    var model: String

    @Option(help: "A .npy file of samples (float32, float64 or uint8).")
    var input: String?

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Write the predictions to FILE.npy or FILE.json instead of printing them.")
    var output: String?

    func validate() throws {
        if input != nil, dataOptions.data != nil { throw ValidationError("give --input FILE.npy or --data DIR, not both") }
        if let output, !(output.hasSuffix(".npy") || output.hasSuffix(".json")) {
            throw ValidationError("--output must end in .npy or .json, got \(output)")
        }
        if let output {
            do { try AtomicFile.checkWritable(output) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        let network = try loadModel(from: model)
        let samples = try input.map { try Tensor(npy: URL(fileURLWithPath: $0)) } ?? dataOptions.load().test.inputs
        let outputs = try network.output(for: try fitted(samples, to: network))
        let predictions = Prediction.of(outputs, loss: network.losses[0])
        if let output {
            if output.hasSuffix(".npy") {
                let table = Tensor(shape: [predictions.count, 2], scalars: predictions.flatMap { [Float($0.label), $0.probability] })
                try table.write(npy: URL(fileURLWithPath: output))
            } else {
                let rows = predictions.map { ["class": $0.label, "probability": Double($0.probability)] as [String: Any] }
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted])
                try write(String(decoding: data, as: UTF8.self) + "\n", to: output)
            }
            print("Wrote \(predictions.count) predictions to \(output)")
        } else {
            print("sample  class  probability")
            for (index, prediction) in predictions.enumerated() {
                print(String(format: "%6d  %5d  %.4f", index, prediction.label, prediction.probability))
            }
        }
    }

    /// `samples` shaped for the model: as they are, or with each sample reshaped when it holds
    /// the right number of values (a NumPy `[n, 28, 28]` for a model of `[28, 28, 1]`).
    private func fitted(_ samples: Tensor, to network: any Network) throws -> Tensor {
        guard let expected = network.inputShapes?.first, samples.rank >= 1 else { return samples }
        let given = Array(samples.shape.dropFirst())
        guard given != expected, given.reduce(1, *) == expected.reduce(1, *) else { return samples }
        return samples.reshaped(to: [samples.shape[0]] + expected)
    }
}

/// A predicted class and its probability.
struct Prediction {
    let label: Int
    let probability: Float

    /// The predictions of `outputs` (`[samples, classes]`, or `[samples, 1]` for a binary
    /// classifier) from a model trained with `loss`: logits go through softmax (or sigmoid),
    /// probabilities are used as they are.
    static func of(_ outputs: Tensor, loss: Loss) -> [Prediction] {
        let samples = outputs.shape[0]
        let width = outputs.count / max(samples, 1)
        var rows = outputs.reshaped(to: [samples, width])
        if width > 1, loss == .softmaxCrossEntropy || loss == .sparseSoftmaxCrossEntropy { rows = rows.softmax() }
        return (0..<samples).map { row in
            let scores = Array(rows.scalars[(row * width)..<((row + 1) * width)])
            if width == 1 {
                let p = loss == .sigmoidCrossEntropy ? 1 / (1 + exp(-scores[0])) : scores[0]
                return p >= 0.5 ? Prediction(label: 1, probability: p) : Prediction(label: 0, probability: 1 - p)
            }
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            return Prediction(label: best, probability: scores[best])
        }
    }
}
