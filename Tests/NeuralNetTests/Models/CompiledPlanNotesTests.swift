import Testing
@testable import NeuralNet

/// `fit(..., compile: true)` says why a model trains eagerly after all, naming the layer and
/// the numbers; a model it plans gets no note.
struct CompiledPlanNotesTests {
    static let rows = try! Dataset(inputs: randomTensor([20, 3], seed: 1), labels: randomTensor([20, 2], seed: 2))

    static func note(_ model: Network, batch: Int = 4, data: Dataset = rows, accumulationSteps: Int = 1) -> String? {
        model.compileNote(for: data, batchSize: batch, accumulationSteps: accumulationSteps, distribution: nil)
    }

    @Test func eachReasonIsSaid() throws {
        let cases: [(String, Network, Int, [String])] = [
            ("two dropouts", Sequential([Dense(3, 4, activation: .relu), Dropout(0.5), Dropout(0.1), Dense(4, 2)], loss: .meanSquaredError), 4,
             ["layer 2", "Dropout(0.1)", "is not a Dense layer"]),
            ("log-softmax", Sequential([Dense(3, 4), Dense(4, 2, activation: .logSoftmax)], loss: .meanSquaredError), 4,
             ["layer 1", "logSoftmax", "does not compute"]),
            ("hidden softmax", Sequential([Dense(3, 4), Activation("softmax"), Dense(4, 2)], loss: .meanSquaredError), 4,
             ["layer 1", "applies softmax", "last layer only"]),
            ("large", Sequential([Dense(3, 400, activation: .relu), Dense(400, 2)], loss: .meanSquaredError), 8,
             ["layer 0", "8 × 3 × 400 = 9600", "4096"]),
            ("custom loss", Sequential([Dense(3, 2)], loss: Loss(name: "mine") { p, t in ((p - Variable(t)) * (p - Variable(t))).mean() }), 4,
             ["mine", "your own"]),
            ("ignored index", Sequential([Dense(3, 2)], loss: .sparseSoftmaxCrossEntropy(ignoring: 0)), 4,
             ["ignores a class index"]),
        ]
        for (name, model, batch, words) in cases {
            let labels = name == "ignored index" ? Tensor((0..<20).map { Float($0 % 2) }) : randomTensor([20, 2], seed: 2)
            let data = try Dataset(inputs: randomTensor([20, 3], seed: 1), labels: labels)
            let note = Self.note(model, batch: batch, data: data)
            #expect(note?.hasPrefix("note: compile: true has no plan for this model, so it trains eagerly: ") == true, "\(name): \(note ?? "nil")")
            for word in words { #expect(note?.contains(word) == true, "\(name): \(note ?? "nil") lacks \(word)") }
        }
        let dense = Sequential([Dense(3, 4, activation: .tanh), Dense(4, 2)], loss: .meanSquaredError)
        #expect(Self.note(dense, accumulationSteps: 2)?.contains("accumulates gradients over 2 parts") == true)
        let input = Input(shape: [3])
        let graph = Model(inputs: input, outputs: Dense(2)(input), loss: .meanSquaredError)
        #expect(Self.note(graph)?.contains("graph Model") == true)
        let images = try Dataset(inputs: randomTensor([20, 2, 2, 1], seed: 3), labels: randomTensor([20, 2], seed: 2))
        #expect(Self.note(Sequential([Flatten(), Dense(4, 2)], loss: .meanSquaredError), data: images)?.contains("[2, 2, 1]") == true)
    }

    @Test func plannedModelsGetNoNote() {
        let models: [Network] = [
            Sequential([Dense(3, 4, activation: .tanh), Dense(4, 2)], loss: .meanSquaredError),
            Sequential([Dense(3, 4), Activation("relu"), Dense(4, 2), Activation("sigmoid")], loss: .meanSquaredError),
        ]
        for model in models { #expect(Self.note(model) == nil, "\(Self.note(model) ?? "")") }
    }
}
