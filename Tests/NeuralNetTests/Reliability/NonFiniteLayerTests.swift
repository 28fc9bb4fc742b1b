import Testing
@testable import NeuralNet

/// NaN and ±∞ are never hidden by a layer: a non-finite input value makes its own sample's
/// output non-finite (and leaves the other samples alone), and a non-finite weight shows in
/// the output, through every fused kernel (activations in Dense and Conv2D, the recurrent
/// cells, attention, normalisation) as through the composed operations.
struct NonFiniteLayerTests {
    struct Case: Sendable {
        let name: String
        let sample: [Int]
        let make: @Sendable () -> any Layer
        init(_ name: String, _ sample: [Int], _ make: @escaping @Sendable () -> any Layer) {
            (self.name, self.sample, self.make) = (name, sample, make)
        }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for kind in Activation.Kind.allCases {
            cases.append(Case("Dense \(kind)", [5]) { Dense(4, activation: Activation(kind)) })
            cases.append(Case("Activation \(kind)", [5]) { Activation(kind) })
        }
        cases.append(Case("Conv2D relu", [4, 4, 1]) { Conv2D(filters: 2, kernelSize: 2, activation: .relu) })
        cases.append(Case("Conv2D gelu same", [4, 4, 2]) { Conv2D(filters: 2, kernelSize: 3, padding: .same, activation: .gelu) })
        cases.append(Case("MaxPool2D", [4, 4, 1]) { MaxPool2D(2) })
        cases.append(Case("AvgPool2D", [3, 3, 1]) { AvgPool2D(2, padding: .same) })
        cases.append(Case("GlobalAveragePooling2D", [3, 3, 2]) { GlobalAveragePooling2D() })
        cases.append(Case("BatchNorm", [5]) { BatchNorm() })
        cases.append(Case("LayerNorm", [3, 4]) { LayerNorm() })
        cases.append(Case("Flatten", [2, 3]) { Flatten() })
        cases.append(Case("Reshape", [6]) { Reshape([3, 2]) })
        cases.append(Case("Dropout", [5]) { Dropout(0.5) })
        cases.append(Case("LSTM", [4, 2]) { LSTM(units: 3) })
        cases.append(Case("LSTM sequences", [4, 2]) { LSTM(units: 3, returnSequences: true) })
        cases.append(Case("GRU", [4, 2]) { GRU(units: 3) })
        cases.append(Case("MultiHeadAttention causal", [3, 4]) { MultiHeadAttention(heads: 2, dimensions: 4, causal: true) })
        cases.append(Case("TransformerBlock", [3, 4]) { TransformerBlock(heads: 2, dimensions: 4) })
        cases.append(Case("PositionEmbedding", [3, 4]) { PositionEmbedding(maxLength: 4) })
        return cases
    }()

    static func output(of layer: any Layer, _ input: Tensor) throws -> Tensor {
        try layer.callAsFunction(input, mode: .inference)
    }

    @Test(arguments: 0..<cases.count)
    func aNonFiniteInputShowsInItsOwnSampleOnly(index: Int) throws {
        let (name, make, sample) = (Self.cases[index].name, Self.cases[index].make, Self.cases[index].sample)
        for bad in [Float.nan, .infinity, -.infinity] {
            let layer = make()
            var input = randomTensor([3] + sample, seed: UInt64(index))
            let width = input.count / 3
            input.scalars[width] = bad                                         // sample 1, first value
            let output = try Self.output(of: layer, input)
            let perSample = output.count / 3
            let rows = (0..<3).map { Array(output.scalars[($0 * perSample)..<(($0 + 1) * perSample)]) }
            // ±∞ may have a finite limit (relu(-∞) = 0, tanh(∞) = 1); NaN never does.
            if bad.isNaN { #expect(rows[1].contains { $0.isNaN }, "\(name): NaN in the input vanished: \(rows[1])") }
            #expect(rows[0].allSatisfy { $0.isFinite } && rows[2].allSatisfy { $0.isFinite }, "\(name): \(bad) leaked to other samples")
        }
    }

    @Test(arguments: 0..<cases.count)
    func aNaNWeightShowsInTheOutput(index: Int) throws {
        let (name, make, sample) = (Self.cases[index].name, Self.cases[index].make, Self.cases[index].sample)
        let layer = make()
        let input = randomTensor([3] + sample, seed: UInt64(index))
        _ = try Self.output(of: layer, input)
        let parameters = layer.parametersByPath.filter { $0.parameter.isLearned }
        for (path, parameter) in parameters {
            let before = parameter.value
            parameter.value.scalars[0] = .nan
            let output = try Self.output(of: layer, input)
            #expect(output.scalars.contains { $0.isNaN }, "\(name): a NaN in \(path) vanished")
            parameter.value = before
        }
    }

    /// The fused activation of Dense and Conv2D against the plain layer followed by the
    /// activation on its own, for inputs holding NaN, ∞ and -∞: the same values, NaN where
    /// either has NaN.
    @Test(arguments: Activation.Kind.allCases)
    func fusedActivationsTreatNonFiniteValuesAsTheComposedOnes(kind: Activation.Kind) throws {
        var input = randomTensor([4, 5], seed: 5)
        input.scalars[0] = .nan
        input.scalars[6] = .infinity
        input.scalars[12] = -.infinity
        let fused = Dense(5, 3, activation: Activation(kind))
        let plain = Dense(5, 3)
        _ = try fused(input)
        _ = try plain(input)
        plain.weight.value = fused.weight.value
        plain.bias!.value = fused.bias!.value
        expectSame(try fused(input), try Activation(kind)(try plain(input)), "Dense \(kind)")

        var image = randomTensor([2, 4, 4, 2], seed: 6)
        image.scalars[3] = .nan
        image.scalars[17] = .infinity
        image.scalars[40] = -.infinity
        let fusedConvolution = Conv2D(filters: 2, kernelSize: 2, activation: Activation(kind))
        let plainConvolution = Conv2D(filters: 2, kernelSize: 2)
        _ = try fusedConvolution(image)
        _ = try plainConvolution(image)
        plainConvolution.kernel.value = fusedConvolution.kernel.value
        if kind != .softmax && kind != .logSoftmax {
            expectSame(try fusedConvolution(image), try Activation(kind)(try plainConvolution(image)), "Conv2D \(kind)")
        }
    }

    func expectSame(_ a: Tensor, _ b: Tensor, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == b.shape, "\(label)", sourceLocation: sourceLocation)
        for (index, (x, y)) in zip(a.scalars, b.scalars).enumerated() {
            let same = (x.isNaN && y.isNaN) || x == y || (x.isFinite && y.isFinite && abs(x - y) <= 1e-4 * max(1, abs(y)))
            #expect(same, "\(label), element \(index): fused \(x), composed \(y)", sourceLocation: sourceLocation)
        }
    }

    @Test func aNaNTokenIdIsAnError() throws {
        let embedding = Embedding(vocabularySize: 5, dimensions: 2)
        #expect(throws: NeuralNetError.self) { try embedding.callAsFunction(Tensor([[1, .nan]]), mode: .inference) }
    }
}
