import Foundation
import Testing
@testable import NeuralNet

struct ModelSpecTests {
    let json = """
        {"inputShape": [28, 28, 1], "loss": "sparse_categorical_crossentropy", "optimizer": "sgd",
         "learningRate": 0.05, "metrics": ["accuracy", "top3"],
         "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 16, "activation": "relu"},
                    {"type": "dropout", "rate": 0.5}, {"type": "Dense", "units": 10, "useBias": false},
                    {"type": "Activation", "activation": {"name": "leakyRelu", "alpha": 0.2}}]}
        """

    @Test func buildsTheModelItDescribes() throws {
        let model = try Sequential(spec: try ModelSpec.decode(Data(json.utf8)))
        #expect(model.layers.map(\.description) == ["Flatten()", "Dense(? → 16, relu)", "Dropout(0.5)", "Dense(? → 10)", "leakyRelu(0.2)"])
        #expect(model.loss == .sparseSoftmaxCrossEntropy)
        #expect(model.metrics == [.accuracy, .topKAccuracy(3)])
        #expect((model.optimizer as? SGD)?.learningRate == 0.05)
        #expect(try model.build() == [[10]])
        #expect(model.parameterCount == 784 * 16 + 16 + 16 * 10)
    }

    @Test func roundTripsThroughJSON() throws {
        let model = try Sequential(spec: try ModelSpec.decode(Data(json.utf8)))
        try model.build()
        let spec = try model.spec()
        let again = try ModelSpec.decode(Data(try spec.json().utf8))
        #expect(again == spec)
        #expect(spec.layers[1].arguments["inputSize"] == .number(784))
    }

    @Test(arguments: [
        (#"{"layers": [{"type": "Dense2", "units": 3}]}"#, "unknown layer type 'Dense2'; expected one of: Dense, Activation"),
        (#"{"layers": [{"type": "Dense", "units": 3, "unit": 4}]}"#, "unknown argument unit; accepted: activation, inputSize, units, useBias"),
        (#"{"layers": [{"type": "Dense"}]}"#, "missing argument 'units'"),
        (#"{"layers": [{"type": "Dense", "units": "many"}]}"#, "argument 'units' must be a whole number"),
        (#"{"layers": [{"type": "Dense", "units": 3, "activation": "rleu"}]}"#, "unknown activation 'rleu'"),
        (#"{"loss": "mss", "layers": []}"#, "unknown loss 'mss'"),
        (#"{"layers": [{"units": 3}]}"#, "missing 'type'"),
        (#"{"layers": [}"#, "not valid JSON"),
    ])
    func mistakesAreExplained(text: String, message: String) {
        do {
            _ = try Sequential(spec: try ModelSpec.decode(Data(text.utf8), path: "model.json"))
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}

struct SummaryTests {
    @Test func tabulatesShapesAndParameterCounts() {
        let model = Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy) {
            Flatten()
            Dense(784, 256, activation: .relu)
            Dense(256, 128, activation: .relu)
            Dense(128, 10)
        }
        let summary = model.summary()
        #expect(summary.contains("Total parameters: 235,146"))
        #expect(summary.contains("Non-trainable parameters: 0"))
        #expect(summary.contains("Dense(784 → 256, relu)  [batch, 256]     200,960"))
        #expect(summary.contains("Flatten()"))
    }

    @Test func anUnknownInputShapeIsExplained() {
        let summary = Sequential(loss: .meanSquaredError) { Flatten(); Dense(3) }.summary()
        #expect(summary.contains("Not built"))
        #expect(summary.contains("inputShape:"))
    }

    @Test func groupsThousands() {
        #expect(grouped(0) == "0")
        #expect(grouped(999) == "999")
        #expect(grouped(1_234_567) == "1,234,567")
    }
}

struct HistoryChartTests {
    @Test func drawsOneCurvePerSeries() throws {
        let model = Sequential(loss: .meanSquaredError, metrics: [.accuracy]) { Dense(2, 1) }
        let x = Tensor([[0, 0], [1, 1]])
        let history = try model.fit(x, Tensor([[0], [1]]), epochs: 3, validation: (x, Tensor([[0], [1]])), progress: .silent)
        let svg = history.svgChart()
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.contains("val_accuracy"))
    }
}

struct GraphSpecTests {
    /// The graph example of `ModelSpec`'s documentation: one Dense layer called on two inputs, added.
    let json = """
        {"layers": [{"type": "Dense", "units": 4}, {"type": "Add"}],
         "graph": {"inputs": [[4], [4]], "calls": [{"layer": 0, "inputs": [0]}, {"layer": 0, "inputs": [1]},
                                                 {"layer": 1, "inputs": [2, 3]}], "outputs": [4]},
         "loss": "mse", "optimizer": {"type": "sgd", "learningRate": 0.1, "momentum": 0.5}}
        """

    @Test func aGraphWrittenByHandBuildsAndTrains() throws {
        let model = try #require(try makeModel(spec: ModelSpec.decode(Data(json.utf8))) as? Model)
        #expect(model.inputs.map(\.shape) == [[4], [4]])
        #expect(model.parameterCount == 20)
        #expect(model.losses == [.meanSquaredError])
        #expect((model.optimizer as? SGD)?.momentum == 0.5)
        let x = [randomTensor([6, 4], seed: 1), randomTensor([6, 4], seed: 2)]
        let history = try model.fit(x, [randomTensor([6, 4], seed: 3)], epochs: 5, batchSize: 3, seed: 1, progress: .silent)
        #expect(history.loss.last! < history.loss.first!)
        #expect(try model.spec().graph == ModelSpec.decode(Data(json.utf8)).graph)
    }

    @Test(arguments: [
        (#"{"layers": [{"type": "Dense", "units": 4}], "graph": {"inputs": [[4]], "calls": [{"layer": 3, "inputs": [0]}], "outputs": [1]}}"#, "layer 3"),
        (#"{"layers": [{"type": "Dense", "units": 4}], "graph": {"inputs": [[4]], "calls": [{"layer": 0, "inputs": [1]}], "outputs": [1]}}"#, "nodes [1]"),
        (#"{"layers": [{"type": "Dense", "units": 4}], "graph": {"inputs": [[4]], "calls": [{"layer": 0, "inputs": [0]}], "outputs": [7]}}"#, "outputs [7]"),
        (#"{"layers": [{"type": "Dense", "units": 4}], "graph": {"inputs": [[4]], "calls": [{"layer": 0, "inputs": [0, 0]}], "outputs": [1]}}"#, "takes one input"),
        (#"{"layers": [{"type": "Add"}], "graph": {"inputs": [[4], [5]], "calls": [{"layer": 0, "inputs": [0, 1]}], "outputs": [2]}}"#, "[4] and [5]"),
    ])
    func badGraphsAreExplained(text: String, message: String) {
        #expect {
            try makeModel(spec: ModelSpec.decode(Data(text.utf8)))
        } throws: { "\($0)".contains(message) }
    }

    @Test func aChainGraphReadsAsSequentialAndABranchingOneDoesNot() throws {
        let chain = #"{"layers": [{"type": "Dense", "units": 2}], "graph": {"inputs": [[3]], "calls": [{"layer": 0, "inputs": [0]}], "outputs": [1]}}"#
        #expect(try Sequential(spec: ModelSpec.decode(Data(chain.utf8))).inputShape == [3])
        #expect(throws: NeuralNetError.self) { try Sequential(spec: ModelSpec.decode(Data(json.utf8))) }
    }
}

struct ChartTests {
    @Test func aOneEpochChartShowsItsPointsTicksAndLegend() {
        let history = History(epochs: [["loss": 0.5, "val_loss": 0.4, "accuracy": 0.8, "val_accuracy": 0.85, "learning_rate": 0.001]])
        let svg = history.svgChart(title: "a <run>")
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4 + 4)   // a marker per point, one per legend entry
        #expect(svg.contains(">epoch</text>") && svg.contains(">1</text>"))
        #expect(svg.contains("a &lt;run&gt;"))
        #expect(!svg.contains("learning rate"))                               // it did not change
        let ticks = ChartLayout.ticks(from: 0.42, to: 0.48)
        #expect(ticks.first! <= 0.42 && ticks.last! >= 0.48 && (3...7).contains(ticks.count))
        #expect(ChartLayout.label(0.45, ticks: ticks) == "0.45")
    }

    @Test func aChangingLearningRateGetsAPanel() {
        let history = History(epochs: (0..<4).map { ["loss": Float(4 - $0), "learning_rate": 0.1 / Float($0 + 1)] })
        #expect(history.svgChart().contains(">learning rate</text>"))
        #expect(ChartLayout.ticks(from: 2, to: 2).count >= 2)                // a flat curve still gets an axis
    }
}
