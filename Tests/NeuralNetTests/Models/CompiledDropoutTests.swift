import Testing
@testable import NeuralNet

/// `fit(..., compile: true)` plans `Dropout` layers after hidden layers: the masks are drawn
/// from the model's generator as its forward pass draws them, so the weights, the history and
/// the generator come out as eager training leaves them, bit for bit.
struct CompiledDropoutTests {
    static func train(_ make: () -> Sequential, _ x: Tensor, _ y: Tensor, batch: Int, validationSplit: Double, observer: Bool,
                      compile: Bool) throws -> (weights: [[UInt32]], history: [[String: Float]], next: UInt64) {
        let model = make()
        let history = try model.fit(x, y, epochs: 20, batchSize: batch, validationSplit: validationSplit,
                                    callbacks: observer ? [BatchCounter()] : [], seed: 3, progress: .silent, compile: compile)
        return (model.namedParameters.map { $0.parameter.value.scalars.map(\.bitPattern) }, history.epochs, model.generator.next())
    }

    @Test func dropoutMatchesEagerTraining() throws {
        let x = randomTensor([9, 3], seed: 51), classes = Tensor((0..<9).map { Float($0 % 3) })
        let models: [(String, () -> any Optimizer, [Metric], () -> [any Layer])] = [
            ("SGD, one dropout", { SGD(learningRate: 0.1) }, [], { [Dense(3, 8, activation: .relu), Dropout(0.3), Dense(8, 3)] }),
            ("Adam, two dropouts and an Activation layer", { Adam(learningRate: 0.02) }, [.accuracy], {
                [Dense(3, 6), Activation("tanh"), Dropout(0.5), Dense(6, 5, activation: .sigmoid), Dropout(0.2), Dense(5, 3)]
            }),
            ("a zero rate draws nothing", { SGD(learningRate: 0.1) }, [], { [Dense(3, 4, activation: .tanh), Dropout(0), Dense(4, 3)] }),
            ("GELU, then dropout", { Adam(learningRate: 0.02) }, [], { [Dense(3, 8, activation: .gelu), Dropout(0.3), Dense(8, 3)] }),
        ]
        for (name, optimizer, metrics, layers) in models {
            let make = { Sequential(layers(), loss: .sparseSoftmaxCrossEntropy, optimizer: optimizer(), metrics: metrics, seed: 8) }
            #expect(CompiledStep(make(), batch: 3) != nil, "\(name)")
            for (batch, validationSplit, observer) in [(1, 0.0, false), (3, 0, false), (4, 0.2, false), (9, 0, true), (2, 0, true)] {
                let label = "\(name), batch \(batch), validation \(validationSplit), observer \(observer)"
                let eager = try Self.train(make, x, classes, batch: batch, validationSplit: validationSplit, observer: observer, compile: false)
                let compiled = try Self.train(make, x, classes, batch: batch, validationSplit: validationSplit, observer: observer,
                                              compile: true)
                #expect(compiled.weights == eager.weights, "\(label)")
                #expect(compiled.history == eager.history, "\(label)")
                #expect(compiled.next == eager.next, "\(label)")                      // the same draws, no more
                #expect(eager.history.last!["loss"]! < eager.history.first!["loss"]!, "\(label)")
            }
        }
    }

    /// A diverging run with dropout stops at the same batch, with the same weights and the
    /// generator where the failing step's draws left it.
    @Test func aDivergingRunWithDropoutStopsWhereEagerStops() throws {
        let x = Tensor([[1, 2], [2, 1], [3, 3]]), y = Tensor([[1], [-2], [3]])
        var outcomes: [(message: String, weights: [[UInt32]], next: UInt64)] = []
        for compile in [true, false] {
            let model = Sequential([Dense(2, 3), Dropout(0.4), Dense(3, 1)], loss: .meanSquaredError, optimizer: SGD(learningRate: 3), seed: 2)
            var message = ""
            do {
                try model.fit(x, y, epochs: 200, batchSize: 1, seed: 1, progress: .silent, compile: compile)
            } catch let error as NeuralNetError {
                message = "\(error)"
            }
            outcomes.append((message, model.namedParameters.map { $0.parameter.value.scalars.map(\.bitPattern) }, model.generator.next()))
        }
        #expect(outcomes[0].message.contains("loss"), "\(outcomes[0].message)")
        #expect(outcomes[0].message == outcomes[1].message)
        #expect(outcomes[0].weights == outcomes[1].weights)
        #expect(outcomes[0].next == outcomes[1].next)
    }

    @Test func dropoutOfTheLastLayerTrainsEagerly() {
        let model = Sequential([Dense(3, 4, activation: .tanh), Dense(4, 2), Dropout(0.5)], loss: .meanSquaredError)
        #expect(CompiledStep(model, batch: 2) == nil)
        let note = CompiledPlanNotesTests.note(model)
        #expect(note?.contains("layer 2 (Dropout(0.5)) drops outputs of the last layer") == true, "\(note ?? "nil")")
    }
}
