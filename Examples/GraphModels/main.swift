// The graph-models issue's acceptance program: a residual classifier on Fashion-MNIST, saved
// and restored, and a two-input, two-output model with a shared encoder.
// Run it with `swift run -c release graph-models` (needs `apt-get install dataset-fashion-mnist`
// for the full set; the embedded sample is too small for the accuracy below).
import Foundation
import NeuralNet

let data = try FashionMNIST()
let input = Input(shape: [28, 28, 1])
let flat = Flatten()(input)
let a = Dense(128, activation: .relu)(flat)
let b = Dense(128, activation: .relu)(a)
let output = Dense(10)(a + b)                                   // a residual connection
let model = Model(inputs: input, outputs: output, loss: .sparseSoftmaxCrossEntropy,
                  optimizer: Adam(learningRate: 1e-3), metrics: [.accuracy])
print(model.summary())                                          // each layer with its inputs; 118,282 parameters
try model.fit(data.train, epochs: 1, batchSize: 64, seed: 3)
try model.save(to: URL(fileURLWithPath: "/tmp/residual.safetensors"))
let restored = try Model.load(from: URL(fileURLWithPath: "/tmp/residual.safetensors"))
let sample = data.test.inputs[0..<100]                          // the first 100 test images
print(restored.predict(sample) == model.predict(sample))       // true, bit for bit
print(try restored.evaluate(data.test)["accuracy"]!)           // at least 0.85

// Two inputs, a shared encoder, two outputs.
let left = Input(shape: [8]), right = Input(shape: [8])
let encoder = Dense(16, activation: .tanh)                      // one layer object, used twice
let joined = Concatenate(axis: -1)([encoder(left), encoder(right)])
let same = Dense(1, activation: .sigmoid)(joined)
let difference = Dense(1)(encoder(left) - encoder(right))
let twin = Model(inputs: [left, right], outputs: [same, difference],
                 losses: [.binaryCrossEntropy, .meanSquaredError], lossWeights: [1, 0.5],
                 optimizer: Adam(learningRate: 1e-2))
print(twin.parameterCount)                                      // 144 (encoder once) + 33 + 17 = 194
