// The real-data issue's acceptance program: an MLP on Fashion-MNIST.
// Run it with `swift run -c release fashion-mlp` (needs `apt-get install dataset-fashion-mnist`).
import NeuralNet

let data = try FashionMNIST()                         // the full set when installed
let model = Sequential(loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 1e-3),
                       metrics: [.accuracy]) {
    Flatten()
    Dense(784, 256, activation: .relu)
    Dense(256, 128, activation: .relu)
    Dense(128, 10)
}
// Validation on the last tenth of the training images; the test set is used once, at the end.
let history = try model.fit(data.train, epochs: 3, batchSize: 64, validationSplit: 0.1, seed: 1)
let scores = try model.evaluate(data.test)           // ["loss": ..., "accuracy": ...]
print(scores["accuracy"]!)                           // at least 0.86
print(model.summary())                               // 235,146 parameters
