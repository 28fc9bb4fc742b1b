import Foundation
import Testing
@testable import NeuralNet

/// The tensor and tape operations that sequence models are made of, each checked for its values
/// and gradient-checked against finite differences.
struct SequencePrimitiveTests {
    @Test func batchedProductsEqualOneProductPerMatrixAndBroadcast() {
        let a = randomTensor([2, 3, 4, 5], seed: 1), b = randomTensor([2, 3, 5, 6], seed: 2)
        let product = a.matmul(b)
        #expect(product.shape == [2, 3, 4, 6])
        let aMatrices = a.reshaped(to: [6, 4, 5]), bMatrices = b.reshaped(to: [6, 5, 6])
        for item in 0..<6 {
            let expected = aMatrices.sliced(item..<(item + 1), alongAxis: 0).reshaped(to: [4, 5])
                .matmul(bMatrices.sliced(item..<(item + 1), alongAxis: 0).reshaped(to: [5, 6]))
            #expect(isClose(product.reshaped(to: [6, 4, 6]).sliced(item..<(item + 1), alongAxis: 0).reshaped(to: [4, 6]), expected))
        }
        // One matrix shared by every batch entry, and a transposed right-hand side.
        let shared = randomTensor([5, 6], seed: 3)
        #expect(isClose(a.matmul(shared), a.matmul(Tensor.stacked(Array(repeating: shared, count: 3), alongAxis: 0))))
        #expect(isClose(a.matmul(b, transposeOther: false), a.matmul(b.permuted([0, 1, 3, 2]), transposeOther: true)))
    }

    @Test func batchedProductGradients() {
        expectGradientsMatch([randomTensor([2, 3, 4], seed: 1), randomTensor([2, 4, 2], seed: 2)]) { $0[0].matmul($0[1]) }
        expectGradientsMatch([randomTensor([2, 3, 4], seed: 1), randomTensor([4, 2], seed: 2)]) { $0[0].matmul($0[1]) }
        expectGradientsMatch([randomTensor([2, 1, 3, 4], seed: 1), randomTensor([3, 5, 4], seed: 2)]) {
            $0[0].matmul($0[1], transposeOther: true)
        }
    }

    @Test func permutingSlicingStackingGradients() {
        let x = randomTensor([2, 3, 4], seed: 4)
        #expect(x.permuted([2, 0, 1]).shape == [4, 2, 3])
        expectGradientsMatch([x]) { $0[0].permuted([2, 0, 1]) }
        expectGradientsMatch([x]) { $0[0].transposed(0, 2) }
        #expect(x.sliced(1..<3, alongAxis: 1).shape == [2, 2, 4])
        #expect(x.sliced(1..<3, alongAxis: 1)[1, 0, 2] == x[1, 1, 2])
        for axis in 0..<3 { expectGradientsMatch([x]) { $0[0].sliced(1..<2, alongAxis: axis) } }
        expectGradientsMatch([x]) { v in
            let parts = v[0].split(sizes: [1, 3], alongAxis: -1)
            return parts[0] * parts[1].sum(alongAxis: -1, keepingDimension: true)
        }
        let y = randomTensor([2, 3, 4], seed: 5)
        #expect(Tensor.stacked([x, y], alongAxis: 1).shape == [2, 2, 3, 4])
        #expect(Tensor.stacked([x, y], alongAxis: -1)[1, 2, 3, 1] == y[1, 2, 3])
        expectGradientsMatch([x, y]) { Variable.stacked([$0[0], $0[1]], alongAxis: 1) }
    }

    @Test func gatheringLooksUpRowsAndScattersGradientsBack() {
        let table = randomTensor([5, 3], seed: 6)
        let ids = Tensor([[0, 4, 4], [2, 0, 1]])
        let embedded = table.gathering(ids)
        #expect(embedded.shape == [2, 3, 3])
        #expect(embedded[0, 1, 2] == table[4, 2] && embedded[1, 0, 0] == table[2, 0])
        // Repeated ids (4 twice, 0 twice) receive the sum of their gradients.
        expectGradientsMatch([table]) { $0[0].gathering(ids) }
        expectGradientsMatch([randomTensor([2, 4, 3], seed: 7)]) { $0[0].gathering(Tensor([3, 1]), alongAxis: 1) }
    }

    @Test func softmaxAndReductionsAlongAnyAxis() {
        let x = randomTensor([2, 3, 4], in: -2..<2, seed: 8)
        for axis in 0..<3 {
            let y = x.softmax(alongAxis: axis)
            #expect(isClose(y.sum(alongAxis: axis), Tensor(repeating: 1, shape: y.sum(alongAxis: axis).shape)))
            expectGradientsMatch([x]) { $0[0].softmax(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].logSoftmax(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].max(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].sum(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].mean(alongAxis: axis, keepingDimension: true) }
        }
        #expect(isClose(x.logSoftmax(alongAxis: 1), x.softmax(alongAxis: 1).map { Foundation.log($0) }))
    }

    @Test func maskingFillsAndAFullyMaskedRowGivesZeros() {
        let scores = randomTensor([2, 3, 3], seed: 9)
        let causal = Tensor([[0, 1, 1], [0, 0, 1], [0, 0, 0]])        // 1: masked
        let masked = scores.filled(where: causal, with: -.infinity)
        let weights = masked.softmax()
        #expect(weights[1, 0, 0] == 1 && weights[1, 0, 1] == 0)
        let everything = Tensor.ones([3, 3])
        let none = scores.filled(where: everything, with: -.infinity).softmax()
        #expect(none.scalars.allSatisfy { $0 == 0 })
        expectGradientsMatch([scores]) { $0[0].filled(where: causal, with: -1e9).softmax() }
        expectGradientsMatch([scores]) { $0[0].filled(where: everything, with: -.infinity).softmax() + $0[0] }
        #expect(Tensor.where(Tensor([1, 0]), Tensor([1, 2]), Tensor(7)) == Tensor([1, 7]))
    }

    @Test func sequenceCrossEntropyAveragesOverPositionsAndIgnoresPadding() throws {
        let logits = randomTensor([2, 3, 4], seed: 10)
        let labels = Tensor([[1, 0, 3], [2, 2, 0]])
        let flat = sparseSoftmaxCrossEntropy(logits: Variable(logits.reshaped(to: [6, 4])), labels: labels.reshaped(to: [6]))
        #expect(abs(sparseSoftmaxCrossEntropy(logits: Variable(logits), labels: labels).value.scalar - flat.value.scalar) < 1e-6)
        expectGradientsMatch([logits]) { sparseSoftmaxCrossEntropy(logits: $0[0], labels: labels) }
        // Ignoring class 0: the mean over the four other positions.
        let kept = Tensor([[1, 3], [2, 2]]).reshaped(to: [4])
        let keptLogits = Tensor.stacked([logits[0..<1].reshaped(to: [3, 4]).sliced(0..<1, alongAxis: 0).reshaped(to: [4]),
                                         logits.reshaped(to: [6, 4]).sliced(2..<3, alongAxis: 0).reshaped(to: [4]),
                                         logits.reshaped(to: [6, 4]).sliced(3..<4, alongAxis: 0).reshaped(to: [4]),
                                         logits.reshaped(to: [6, 4]).sliced(4..<5, alongAxis: 0).reshaped(to: [4])], alongAxis: 0)
        let expected = sparseSoftmaxCrossEntropy(logits: Variable(keptLogits), labels: kept).value.scalar
        let ignoring = Loss.sparseSoftmaxCrossEntropy(ignoring: 0)
        #expect(abs(ignoring(predicted: Variable(logits), expected: labels).value.scalar - expected) < 1e-6)
        expectGradientsMatch([logits]) { ignoring(predicted: $0[0], expected: labels) }
        #expect(try Loss(named: ignoring.name) == ignoring)
        try ignoring.validate(outputShape: [3, 4], targets: labels)
        #expect(throws: NeuralNetError.self) { try Loss.sparseSoftmaxCrossEntropy.validate(outputShape: [3, 4], targets: Tensor([[1, 0]])) }
    }

    @Test func accuracyOfASequenceCountsPositions() {
        // Two samples of two positions; 3 of 4 positions right.
        let output = Tensor([[[1, 0], [0, 1]], [[1, 0], [1, 0]]])
        let labels = Tensor([[0, 1], [0, 1]])
        #expect(Metric.accuracy.correctCount(output: output, targets: labels, loss: .sparseSoftmaxCrossEntropy) == 1.5)
        // Ignoring class 1 leaves the two positions labelled 0, both right.
        #expect(Metric.accuracy.correctCount(output: output, targets: labels, loss: .sparseSoftmaxCrossEntropy(ignoring: 1)) == 2)
    }
}
