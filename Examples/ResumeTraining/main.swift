// The resume issue's acceptance program: a run stopped after 2 of 3 epochs and resumed in a new
// model object ends with the same weights as a run that never stopped.
// Run it with `swift run -c release resume-training`.
import Foundation
import NeuralNet

let data = try FashionMNIST()
func makeModel() -> Sequential {
    Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy,
               optimizer: Adam(learningRate: 1e-3), metrics: [.accuracy]) {
        Flatten(); Dense(64, activation: .relu); Dropout(0.2); Dense(10)
    }
}
let dir = URL(fileURLWithPath: "/tmp/ckpt-\(getpid())")
let straight = makeModel()
try straight.fit(data.train.prefix(6000), epochs: 3, batchSize: 64,
                 callbacks: [LearningRateScheduler(.cosine(epochs: 3))], seed: 9)

let first = makeModel()        // stopped after 2 of 3 epochs, then resumed in a new model object
try first.fit(data.train.prefix(6000), epochs: 2, batchSize: 64,
              callbacks: [ModelCheckpoint(directory: dir), LearningRateScheduler(.cosine(epochs: 3))], seed: 9)
let resumed = makeModel()
try resumed.fit(data.train.prefix(6000), epochs: 3, batchSize: 64,
                callbacks: [ModelCheckpoint(directory: dir), LearningRateScheduler(.cosine(epochs: 3))],
                seed: 9, resumeFrom: dir)
print(resumed.predict(data.test.inputs[0..<50]) == straight.predict(data.test.inputs[0..<50]))   // true
try? FileManager.default.removeItem(at: dir)
