import Testing
@testable import NeuralNet

/// A small network learns from the embedded Fashion-MNIST sample: far above chance (10%)
/// after two epochs. Kept tiny, since tests build in debug mode.
@Test func aSmallNetworkLearnsFromTheFashionMNISTSample() throws {
    let data = try FashionMNIST.sample()
    let model = Sequential(loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 3e-3), metrics: [.accuracy]) {
        Flatten()
        Dense(32, activation: .relu)
        Dense(10)
    }
    let history = try model.fit(data.train.prefix(1500), epochs: 2, batchSize: 32, seed: 1, progress: .silent)
    let scores = try model.evaluate(data.test.prefix(500))
    #expect(history.loss[1] < history.loss[0])
    #expect(scores["accuracy"]! > 0.6)
}
