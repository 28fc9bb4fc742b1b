// The sequence-models issue's acceptance program: a small character-level transformer trained
// for one epoch on the embedded Shakespeare, then writing. Run it with
// `swift run -c release char-transformer` (a few minutes on two cores; no data to install).
import Foundation
import NeuralNet

let text = try TextDataset.shakespeare(context: 128)          // the embedded corpus; or TextDataset(contentsOf:)
let (train, heldOut) = text.split(0.9)
let gpt = Sequential(inputShape: [128], loss: .sparseSoftmaxCrossEntropy,
                     optimizer: AdamW(learningRate: 3e-3, weightDecay: 0.01, clipNorm: 1)) {
    Embedding(vocabularySize: text.vocabulary.count, dimensions: 128)
    PositionEmbedding(maxLength: 128)
    for _ in 0..<4 { TransformerBlock(heads: 4, dimensions: 128, dropout: 0.1, causal: true) }
    LayerNorm()
    Dense(text.vocabulary.count)
}
let start = Date()
try gpt.fit(train, epochs: 1, batchSize: 32, validation: heldOut, seed: 1)
print(String(format: "one epoch of %d windows: %.0f s", train.count, Date().timeIntervalSince(start)))
let nats = try gpt.evaluate(heldOut)["loss"]!
print(nats)                       // at most 1.8 nats per character (a trigram model gets about 2.0)
print(gpt.generate(prompt: "ROMEO:", vocabulary: text.vocabulary, length: 200, temperature: 0.8, seed: 1))
