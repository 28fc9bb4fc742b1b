import Foundation
import Testing
@testable import NeuralNet

/// Every bad argument a user can write ends in a `NeuralNetError` naming the layer (or
/// optimizer, callback, dataset), what was given and a fix, thrown when the model is built or
/// `fit` starts, never a trap. One case per argument; `BadArgumentTests.cases` counts them for
/// the closing note.
struct BadArgumentTests {
    /// A layer that cannot be built, and words its error must contain.
    static let layerCases: [(name: String, layer: @Sendable () -> any Layer, inputShape: [Int], message: String)] = [
        ("Dense(0)", { Dense(0) }, [4], "Dense(? → 0): units must be positive, got 0"),
        ("Dense(-5)", { Dense(-5) }, [4], "units must be positive, got -5"),
        ("Dense input size -1", { Dense(inputSize: -1, outputSize: 3) }, [4], "the input size must be positive, got -1"),
        ("Dense activation typo", { Dense(3, activation: "rleu") }, [4], "unknown activation 'rleu'; expected one of: linear, relu"),
        ("Dense 3e8 units", { Dense(300_000_000) }, [784], "need more than the memory budget"),
        ("Activation typo", { Activation("tanhh") }, [4], "unknown activation 'tanhh'"),
        ("Dropout(1.5)", { Dropout(1.5) }, [4], "Dropout(1.5): the rate must be in [0, 1), got 1.5"),
        ("Dropout(-0.1)", { Dropout(-0.1) }, [4], "the rate must be in [0, 1), got -0.1"),
        ("Dropout(NaN)", { Dropout(.nan) }, [4], "the rate must be in [0, 1), got nan"),
        ("Conv2D filters 0", { Conv2D(filters: 0, kernelSize: 3) }, [8, 8, 1], "filters must be positive, got 0"),
        ("Conv2D kernel 0", { Conv2D(filters: 2, kernelSize: 0) }, [8, 8, 1], "kernelSize must be positive, got 0"),
        ("Conv2D strides -1", { Conv2D(filters: 2, kernelSize: 3, strides: -1) }, [8, 8, 1], "strides must be positive, got -1"),
        ("Conv2D activation typo", { Conv2D(filters: 2, kernelSize: 3, activation: "sigmiod") }, [8, 8, 1], "unknown activation 'sigmiod'"),
        ("MaxPool2D(0)", { MaxPool2D(0) }, [8, 8, 1], "the pool size and strides must be positive, got 0"),
        ("AvgPool2D strides 0", { AvgPool2D(2, strides: 0) }, [8, 8, 1], "the pool size and strides must be positive"),
        ("BatchNorm momentum 2", { BatchNorm(momentum: 2) }, [4], "momentum must be in [0, 1], got 2.0"),
        ("BatchNorm epsilon 0", { BatchNorm(epsilon: 0) }, [4], "epsilon must be positive, got 0.0"),
        ("Reshape([-2])", { Reshape([-2]) }, [4], "the target shape takes positive sizes and at most one -1, got [-2]"),
        ("Reshape two -1", { Reshape([-1, -1]) }, [4], "at most one -1"),
        ("Embedding vocabulary 0", { Embedding(vocabularySize: 0, dimensions: 4) }, [5], "vocabularySize must be positive, got 0"),
        ("Embedding dimensions -3", { Embedding(vocabularySize: 5, dimensions: -3) }, [5], "dimensions must be positive, got -3"),
        ("PositionEmbedding 0", { PositionEmbedding(maxLength: 0) }, [5, 4], "maxLength must be positive, got 0"),
        ("LSTM units 0", { LSTM(units: 0) }, [5, 4], "LSTM(0): units must be positive, got 0"),
        ("GRU both returns", { GRU(units: 3, returnSequences: true, returnState: true) }, [5, 4],
         "returnSequences and returnState cannot both be true"),
        ("LayerNorm epsilon -1", { LayerNorm(epsilon: -1) }, [5, 4], "epsilon must be positive, got -1.0"),
        ("MultiHeadAttention heads 3 of 8", { MultiHeadAttention(heads: 3, dimensions: 8) }, [5, 8],
         "dimensions must be a positive multiple of heads (3), got 8"),
        ("MultiHeadAttention dropout 1", { MultiHeadAttention(heads: 2, dimensions: 8, dropout: 1) }, [5, 8], "dropout must be in [0, 1), got 1.0"),
        ("TransformerBlock heads 0", { TransformerBlock(heads: 0, dimensions: 8) }, [5, 8], "heads must be positive, got 0"),
        ("TransformerBlock width -1", { TransformerBlock(heads: 2, dimensions: 8, feedForwardWidth: -1) }, [5, 8],
         "TransformerBlock(heads: 2, dimensions: 8) > feedForward1 > Dense(8 → -1, gelu): units must be positive, got -1"),
    ]

    @Test(arguments: 0..<layerCases.count)
    func aBadLayerArgumentIsAnErrorWhenTheModelIsBuilt(index: Int) {
        let (name, makeLayer, inputShape, message) = Self.layerCases[index]
        let model = Sequential([makeLayer()], loss: .meanSquaredError)
        expectError(containing: message, name) { try model.build(inputShape: inputShape) }
        expectError(containing: "layer 0,", name) { try model.build(inputShape: inputShape) }
        // The same layer alone, called on a batch, reports the same problem.
        let alone: any Layer = makeLayer()
        let batch = Tensor.zeros([1] + inputShape)
        expectError(containing: message, name) { _ = try alone.callAsFunction(batch, mode: .inference) }
    }

    @Test func aGraphModelNamesTheBadLayerCall() {
        let input = Input(shape: [4])
        let model = Model(inputs: input, outputs: Dense(0)(Dense(3)(input)), loss: .meanSquaredError)
        expectError(containing: "layer 1 called on 0", "graph") { try model.build() }
        expectError(containing: "units must be positive, got 0", "graph") { try model.build() }
    }

    /// An optimizer or callback that cannot work, and words its error must contain.
    static let trainingCases: [(name: String, optimizer: @Sendable () -> any Optimizer, callback: (@Sendable () -> any Callback)?, message: String)] = [
        ("Adam lr -1", { Adam(learningRate: -1) }, nil, "optimizer Adam: the learning rate must be positive, got -1.0"),
        ("Adam lr 0", { Adam(learningRate: 0) }, nil, "the learning rate must be positive, got 0.0"),
        ("Adam lr NaN", { Adam(learningRate: .nan) }, nil, "the learning rate must be positive, got nan"),
        ("Adam beta 1", { Adam(beta1: 1) }, nil, "betas must be in [0, 1), got 1.0 and 0.999"),
        ("Adam clipNorm 0", { Adam(clipNorm: 0) }, nil, "clipNorm must be positive, got 0.0"),
        ("AdamW decay -1", { AdamW(weightDecay: -1) }, nil, "weightDecay must be 0 or more, got -1.0"),
        ("SGD momentum 1.5", { SGD(momentum: 1.5) }, nil, "momentum must be in [0, 1), got 1.5"),
        ("SGD decay -0.1", { SGD(weightDecay: -0.1) }, nil, "weightDecay must be 0 or more"),
        ("RMSProp rho 2", { RMSProp(rho: 2) }, nil, "rho must be in [0, 1), got 2.0"),
        ("Adagrad lr -0.01", { Adagrad(learningRate: -0.01) }, nil, "optimizer Adagrad: the learning rate must be positive"),
        ("EarlyStopping patience -1", { Adam() }, { EarlyStopping(patience: -1) }, "EarlyStopping: patience must be 0 or more, got -1"),
        ("ReduceLROnPlateau factor 2", { Adam() }, { ReduceLROnPlateau(factor: 2) }, "factor must be in (0, 1), got 2.0"),
        ("ReduceLROnPlateau cooldown -1", { Adam() }, { ReduceLROnPlateau(cooldown: -1) }, "patience and cooldown must be 0 or more"),
        ("ModelCheckpoint keepLast 0", { Adam() }, {
            ModelCheckpoint(directory: FileManager.default.temporaryDirectory.appendingPathComponent("never-written"), keepLast: 0)
        }, "keepLast must be at least 1, got 0"),
        ("ModelCheckpoint batches 0", { Adam() }, {
            ModelCheckpoint(directory: FileManager.default.temporaryDirectory.appendingPathComponent("never-written"), every: .batches(0))
        }, "every .batches(n) needs n > 0, got 0"),
    ]

    @Test(arguments: 0..<trainingCases.count)
    func aBadOptimizerOrCallbackIsAnErrorWhenFitStarts(index: Int) {
        let (name, optimizer, callback, message) = Self.trainingCases[index]
        let model = Sequential([Dense(1)], inputShape: [2], loss: .meanSquaredError, optimizer: optimizer())
        if callback == nil {                                              // the model's own setup: checked when built
            expectError(containing: message, name) { try model.build() }
        }
        expectError(containing: message, name) {
            try model.fit(Tensor([[1, 2]]), Tensor([[1]]), callbacks: callback.map { [$0()] } ?? [], progress: .silent)
        }
    }

    @Test func anUnknownLossLiteralIsAnErrorWhenBuilt() {
        let model = Sequential([Dense(1)], inputShape: [2], loss: "msee")
        expectError(containing: "unknown loss 'msee'; expected one of", "loss") { try model.build() }
    }

    @Test func badDataArgumentsAreErrors() throws {
        let data = try Dataset(inputs: Tensor([[1, 2], [3, 4]]), labels: Tensor([[1], [2]]))
        let model = Sequential([Dense(1)], inputShape: [2], loss: .meanSquaredError)
        let (first, second) = data.split(1.5)
        expectError(containing: "split(1.5): the fraction must be in [0, 1]", "split") { try model.fit(first, progress: .silent) }
        expectError(containing: "split(1.5)", "split, second") { _ = try model.evaluate(second) }
        expectError(containing: "split(1.5)", "split, shuffled") { try model.fit(first.shuffled(seed: 1), progress: .silent) }
        let text = try TextDataset(text: String(repeating: "abcdefgh ", count: 20), context: 4)
        expectError(containing: "TextDataset.split(2.0)", "text split") {
            try Sequential([Embedding(vocabularySize: 9, dimensions: 2), Dense(9)], loss: .sparseSoftmaxCrossEntropy)
                .fit(text.split(2).train, progress: .silent)
        }
        expectError(containing: "batchSize must be positive, got 0", "batch 0") { try model.fit(data, batchSize: 0, progress: .silent) }
        expectError(containing: "epochs must be 0 or more, got -1", "epochs") { try model.fit(data, epochs: -1, progress: .silent) }
        expectError(containing: "validationSplit must be in [0, 1), got 1.5", "validation") {
            try model.fit(data, validationSplit: 1.5, progress: .silent)
        }
        try model.fit(data, batchSize: Int.max, progress: .silent)       // one batch of everything: fine
        expectError(containing: "predict: batchSize must be positive", "predict batch") { _ = try model.output(for: data.inputs, batchSize: -1) }
    }

    @Test func inputThatDoesNotFitIsAnErrorFromTheThrowingPredict() {
        let model = Sequential([Dense(3)], inputShape: [4], loss: .meanSquaredError)
        expectError(containing: "expected samples of shape [4], got shape [5]", "width") { _ = try model.output(for: .zeros([1, 5])) }
        expectError(containing: "one batch [samples, ...] per input", "rank 0") { _ = try model.output(for: Tensor(3)) }
        let badShape = Sequential([Dense(3)], inputShape: [-4], loss: .meanSquaredError)
        expectError(containing: "a sample shape of positive sizes", "negative input") { try badShape.build() }
        let tooManyAxes = Sequential([Flatten(), Dense(3)], inputShape: [1, 1, 1, 1, 1, 1], loss: .meanSquaredError)
        expectError(containing: "at most 5 axes", "rank 7") { try tooManyAxes.build() }
    }

    @Test func aParameterOfTheWrongShapeIsRefusedAndReported() throws {
        let model = Sequential([Dense(3)], inputShape: [4], loss: .meanSquaredError)
        try model.build()
        let weight = model.namedParameters[0].parameter
        let before = weight.value
        weight.value = .zeros([2, 2])
        #expect(weight.value == before && weight.rejectedShape == [2, 2])
        expectError(containing: "parameter 0.weight has shape [4, 3], but a tensor of shape [2, 2] was assigned", "predict") {
            _ = try model.output(for: .zeros([1, 4]))
        }
        expectError(containing: "assign a tensor of shape [4, 3]", "fit") { try model.fit(.zeros([1, 4]), .zeros([1, 3]), progress: .silent) }
        weight.value = .ones([4, 3])                                       // the right shape is taken and clears it
        #expect(try model.output(for: .zeros([1, 4])).shape == [1, 3])
    }

    @Test func aBatchTooLargeForMemoryIsAnErrorWithTheLargestThatFits() throws {
        // 4096×4096 images and 1000 filters: 1.7e10 values per sample, far beyond memory.
        let model = Sequential([Conv2D(filters: 1000, kernelSize: 1)], inputShape: [4096, 4096, 1], loss: .meanSquaredError)
        try model.build()
        expectError(containing: "more than the memory budget of", "batch") {
            try model.checkBatchRoom(batchSize: 1, training: true)
        }
        try Sequential([Dense(3)], inputShape: [4], loss: .meanSquaredError).checkBatchRoom(batchSize: 1 << 20, training: true)
    }
}

/// Expects `body` to throw a `NeuralNetError` whose message contains `words`.
func expectError(containing words: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("\(label): no error thrown; expected \"\(words)\"", sourceLocation: sourceLocation)
    } catch let error as NeuralNetError {
        #expect("\(error)".contains(words), "\(label): \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(label): \(type(of: error)) instead of a NeuralNetError: \(error)", sourceLocation: sourceLocation)
    }
}

/// JSON from files is bounded in depth before any parser sees it.
struct JSONNestingTests {
    @Test func deeplyNestedJSONIsAnErrorNamingTheBound() {
        let deep = Data((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8)
        expectError(containing: "JSON nested more than 64 levels deep", "model JSON") { _ = try ModelSpec.decode(deep) }
        // Brackets inside strings do not count.
        let quoted = Data(("{\"layers\": [], \"loss\": \"" + String(repeating: "[", count: 100) + "\"}").utf8)
        #expect((try? ModelSpec.decode(quoted))?.loss?.count == 100)
        var header = Array(String(repeating: "{\"a\":", count: 70).utf8) + Array(String(repeating: "}", count: 70).utf8)
        header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        let file = withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header
        expectError(containing: "nested more than 64", "safetensors") { _ = try SafeTensors.decode(file) }
    }
}

/// A summary of a model that cannot be built shows the problem instead of failing.
struct BadModelSummaryTests {
    @Test func theSummaryOfAnUnbuildableModelNamesTheProblem() {
        let sequential = Sequential([Dense(0), Dropout(2)], inputShape: [4], loss: .meanSquaredError)
        let text = sequential.summary()
        #expect(text.contains("Dense"))
        let input = Input(shape: [4])
        let graph = Model(inputs: input, outputs: Dense(-1)(input), loss: .meanSquaredError)
        #expect(graph.summary().contains("units must be positive, got -1"))
    }
}
