// Regression on tabular data, written with Keras habits: a validation split, an error metric,
// early stopping, and a layer frozen for fine-tuning.
// Run it with `swift run -c release tabular-regression`.
//
// The table is made here (no data set is downloaded): 2,000 rows of 6 features, and a target
// that depends on them non-linearly, plus noise: y = 3·x₀·x₁ + sin(2·x₂) - x₃² + 0.5·x₄ + ε.
import Foundation
import NeuralNet

var generator = SeededGenerator(seed: 7)
let rows = 2_000
let x = Tensor(randomUniform: [rows, 6], in: -1..<1, using: &generator)
let noise = Tensor(randomNormal: [rows], standardDeviation: 0.05, using: &generator)
let targets = (0..<rows).map { i -> Float in
    let f = (0..<6).map { x[i, $0] }
    return 3 * f[0] * f[1] + sin(2 * f[2]) - f[3] * f[3] + 0.5 * f[4] + noise[i]
}
let y = Tensor(shape: [rows, 1], scalars: targets)

let model = Sequential(inputShape: [6], loss: .meanSquaredError, optimizer: Adam(learningRate: 3e-3),
                       metrics: [.meanAbsoluteError, .rootMeanSquaredError]) {
    Dense(64, activation: .relu)
    Dense(64, activation: .relu)
    Dense(1)
}
model.printSummary()
let history = try model.fit(x, y, epochs: 60, batchSize: 32, validationSplit: 0.2,
                            callbacks: [EarlyStopping(monitor: "val_mean_absolute_error", patience: 8)], seed: 1,
                            progress: .lines)
print("validation MAE after \(history.epochs.count) epochs:", history["val_mean_absolute_error"].min()!)   // about 0.1

// Fine-tuning: freeze the first layer and train the rest a little more at a lower rate.
model.layers[0].isTrainable = false
model.optimizer.learningRate = 1e-3
try model.fit(x, y, epochs: 5, batchSize: 32, validationSplit: 0.2, seed: 2, progress: .silent)
print("trainable parameters now:", model.trainableParameters.reduce(0) { $0 + $1.count })   // 4,225 of 4,673
