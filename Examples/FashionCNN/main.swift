// The convolution issue's acceptance program: a small CNN on Fashion-MNIST.
// Run it with `swift run -c release fashion-cnn` (needs `apt-get install dataset-fashion-mnist`).
import NeuralNet

let data = try FashionMNIST()
let model = Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy,
                       optimizer: Adam(learningRate: 1e-3), metrics: [.accuracy]) {
    Conv2D(filters: 32, kernelSize: 3, activation: .relu)
    MaxPool2D(2)
    Conv2D(filters: 64, kernelSize: 3, activation: .relu)
    MaxPool2D(2)
    Flatten()
    Dense(128, activation: .relu)
    Dense(10)
}
print(model.summary())                                // 225,034 parameters
try model.fit(data.train, epochs: 2, batchSize: 64, seed: 1)
print(try model.evaluate(data.test)["accuracy"]!)     // at least 0.88
