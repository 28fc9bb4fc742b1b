import Foundation

/// Text generation for character-level language models: a model whose input is `[batch, time]`
/// token ids and whose output is `[batch, time, vocabulary]` (or `[batch, vocabulary]`) logits
/// for the next character.
extension Network {
    /// `prompt` followed by `length` characters sampled one at a time from the model, each from
    /// `softmax(logits / temperature)` restricted to the `topK` likeliest characters (all when
    /// `nil`), the model seeing the last `context` characters (its input length). The same `seed`
    /// gives the same text; `temperature: 0` always takes the likeliest character.
    ///
    /// - Precondition: the prompt's characters are in the vocabulary (`vocabulary`, or the one
    ///   saved with the model) and the arguments are valid; otherwise the program ends with the
    ///   reason on standard error and exit status 1. `generatedText(...)` throws instead.
    public func generate(
        prompt: String, vocabulary: Vocabulary? = nil, length: Int, temperature: Float = 1, topK: Int? = nil, seed: UInt64 = 0
    ) -> String {
        do {
            return try generatedText(prompt: prompt, vocabulary: vocabulary, length: length, temperature: temperature, topK: topK, seed: seed)
        } catch {
            exitWithError(error, in: "generate", throwingTwin: "generatedText(...)")
        }
    }

    /// `generate(...)`, throwing `NeuralNetError` for a character outside the vocabulary, a
    /// model without one, or invalid arguments.
    public func generatedText(
        prompt: String, vocabulary: Vocabulary? = nil, length: Int, temperature: Float = 1, topK: Int? = nil, seed: UInt64 = 0
    ) throws -> String {
        guard let vocabulary = vocabulary ?? self.vocabulary else {
            throw NeuralNetError.invalidArgument(
                "generate: the model has no vocabulary; pass the one it was trained with (TextDataset.vocabulary)")
        }
        guard length >= 0, temperature >= 0, temperature.isFinite, topK.map({ $0 > 0 }) ?? true else {
            throw NeuralNetError.invalidArgument(
                "generate: length (\(length)) and temperature (\(temperature)) must not be negative, topK (\(topK.map(String.init) ?? "nil")) must be positive")
        }
        guard let shapes = inputShapes, shapes.count == 1, let context = shapes[0].first, shapes[0].count == 1 else {
            throw NeuralNetError.invalidArgument(
                "generate: the model must take one input of token ids [time] per sample, got \(inputShapes.map { "\($0)" } ?? "an unknown shape")")
        }
        try build(inputShapes: shapes)
        var ids = try vocabulary.encode(prompt)
        if ids.isEmpty { ids = [(try? vocabulary.encode("\n").first) ?? 0] }
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<length {
            let window = ids.suffix(context)
            let input = Tensor(shape: [1, window.count], scalars: window.map(Float.init))
            let output = try Variable.withoutRecording { try forward([Variable(input)], mode: .inference)[0].value }
            guard output.shape.last == vocabulary.count else {
                throw NeuralNetError.shapeMismatch(
                    layer: "generate", expected: "logits over the \(vocabulary.count) characters of the vocabulary", actual: output.shape)
            }
            let logits = Array(output.scalars.suffix(vocabulary.count))
            ids.append(Self.sample(logits, temperature: temperature, topK: topK, generator: &generator))
        }
        return prompt + vocabulary.decode(ids.suffix(length))
    }

    /// An index drawn from `softmax(logits / temperature)` over the `topK` largest logits.
    static func sample(_ logits: [Float], temperature: Float, topK: Int?, generator: inout SeededGenerator) -> Int {
        let best = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        guard temperature > 0 else { return best }
        var candidates = Array(logits.indices)
        if let topK, topK < logits.count {
            candidates = Array(candidates.sorted { logits[$0] > logits[$1] }.prefix(topK))
        }
        let largest = logits[best]
        let weights = candidates.map { Foundation.exp((logits[$0] - largest) / temperature) }
        var draw = generator.nextUnitFloat() * weights.reduce(0, +)
        for (candidate, weight) in zip(candidates, weights) {
            draw -= weight
            if draw < 0 { return candidate }
        }
        return candidates.last ?? best
    }
}
