import ArgumentParser
import Foundation
import NeuralNet

/// `nn generate MODEL`: text from a character-level language model saved by `nn train --model
/// charlstm|chargpt` (or any saved model with a vocabulary).
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate text with a saved character-level language model.")

    @Argument(help: "A saved model (.safetensors) with its vocabulary.")
    var file: String

    @Option(help: "The text to continue.")
    var prompt: String = "\n"

    @Option(help: "How many characters to generate.")
    var length: Int = 300

    @Option(help: "Sampling temperature: lower is more conservative, 0 always takes the likeliest character.")
    var temperature: Float = 0.8

    @Option(help: "Sample only among the K likeliest characters.")
    var topK: Int?

    @Option(help: "Seeds the sampling: the same seed gives the same text.")
    var seed: UInt64 = 1

    func validate() throws {
        guard length >= 0 else { throw ValidationError("--length must not be negative, got \(length)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more, got \(temperature)") }
        if let topK, topK <= 0 { throw ValidationError("--top-k must be positive, got \(topK)") }
    }

    func run() throws {
        let network = try loadModel(from: file)
        guard network.vocabulary != nil else {
            throw ValidationError("\(file) has no vocabulary: it is not a character-level language model (train one with nn train --model chargpt)")
        }
        print(try network.generatedText(prompt: prompt, length: length, temperature: temperature, topK: topK, seed: seed))
    }
}
